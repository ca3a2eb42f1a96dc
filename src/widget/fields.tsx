/** A labelled text field whose hint and error are tied to the input for assistive technology. */

export interface FieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  onBlur?: () => void;
  error?: string;
  hint?: string;
  type?: string;
  autocomplete?: string;
  inputMode?: 'numeric' | 'tel' | 'email' | 'text';
  maxLength?: number;
  required?: boolean;
  multiline?: boolean;
}

export function Field(props: FieldProps) {
  const { id, label, error, hint } = props;
  const describedBy =
    [hint ? `${id}-hint` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: id,
    value: props.value,
    onInput: (e: Event) => props.onValue((e.currentTarget as HTMLInputElement).value),
    onBlur: props.onBlur,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    'aria-required': props.required ? ('true' as const) : undefined,
    maxLength: props.maxLength,
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      {props.multiline ? (
        <textarea {...common} rows={3} />
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          autocomplete={props.autocomplete}
          inputMode={props.inputMode}
          spellcheck={false}
        />
      )}
      {error && (
        <p id={`${id}-err`} class="err">
          {error}
        </p>
      )}
    </div>
  );
}
