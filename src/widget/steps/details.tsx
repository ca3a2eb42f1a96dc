/** Step 4: who to call and where exactly, the customer's consent, then the booking itself. */
import { useEffect, useState } from 'preact/hooks';
import type { BookingRules, Service, TimeWindow } from '../api.js';
import { Field, type FieldProps } from '../fields.js';
import type { Errors, FieldKey, Form, Hold } from '../flow.js';
import { formatWindow, type Lang, type Messages } from '../i18n.js';
import { BackButton, ServiceSummary, StepHeader, PhoneLink } from '../parts.js';

export interface DetailsStepProps {
  service: Service | undefined;
  chosen: TimeWindow | null;
  /** The hold on the chosen window, when one could be placed. */
  hold: Hold | null;
  onRenew: (hold: Hold) => void;
  timeZone: string;
  form: Form;
  errors: Errors;
  busy: boolean;
  company: string;
  rules: BookingRules;
  phone: string;
  lang: Lang;
  t: Messages;
  onEdit: (key: keyof Form) => (value: string) => void;
  onLeave: (key: FieldKey) => () => void;
  onConsent: (checked: boolean) => void;
  onBack: () => void;
  onSubmit: () => void;
}

export function DetailsStep({ form, errors, busy, lang, t, ...props }: DetailsStepProps) {
  const text = (id: FieldKey, label: string, extra: Partial<FieldProps> = {}) => (
    <Field
      id={id}
      label={label}
      value={form[id] as string}
      onValue={props.onEdit(id)}
      onBlur={props.onLeave(id)}
      error={errors[id]}
      required
      {...extra}
    />
  );
  return (
    <form
      noValidate
      aria-busy={busy ? 'true' : undefined}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      <StepHeader step="details" text={t.detailsStep} t={t} />
      <div class="summary">
        <ServiceSummary service={props.service} />
        {props.chosen && (
          <p>
            {t.arrivalBetween} {formatWindow(props.chosen.start, props.chosen.end, lang, props.timeZone)}
          </p>
        )}
        <p>
          {form.line}, {form.postcode}
        </p>
        {props.hold && <HoldNote hold={props.hold} t={t} onRenew={props.onRenew} />}
      </div>
      {text('name', t.name, { autocomplete: 'name' })}
      {text('phone', t.phone, { type: 'tel', autocomplete: 'tel', inputMode: 'tel' })}
      {text('email', props.rules.emailRequired ? t.email : t.emailOptional, {
        type: 'email',
        autocomplete: 'email',
        inputMode: 'email',
        hint: props.rules.emailRequired ? undefined : t.emailHint,
        required: props.rules.emailRequired,
      })}
      {text('city', t.city, { autocomplete: 'address-level2' })}
      {text('notes', t.notes, {
        hint: t.notesHint,
        onBlur: undefined,
        maxLength: 1000,
        multiline: true,
        required: false,
      })}
      <div class="hp" aria-hidden="true">
        <label for="website">{t.honeypot}</label>
        <input
          id="website"
          name="website"
          tabIndex={-1}
          autocomplete="off"
          value={form.website}
          onInput={(e) => props.onEdit('website')((e.currentTarget as HTMLInputElement).value)}
        />
      </div>
      <label class="check">
        <input
          type="checkbox"
          id="consent"
          checked={form.consent}
          aria-invalid={errors.consent ? 'true' : undefined}
          aria-describedby={errors.consent ? 'consent-err' : undefined}
          onChange={(e) => props.onConsent((e.currentTarget as HTMLInputElement).checked)}
        />
        <span>{t.consent(props.company)}</span>
      </label>
      {errors.consent && (
        <p id="consent-err" class="err">
          {errors.consent}
        </p>
      )}
      {/* Stated before booking: until when the customer may change their mind online — or, for a
          window inside the cut-off (the slots answer marks it), that they will have to call. */}
      {props.chosen?.withinChangeCutoff ? (
        <p id="cutoff-note">
          {t.cutoffPassed(props.rules.changeCutoffHours)} <PhoneLink phone={props.phone} />.
        </p>
      ) : (
        <p class="muted" id="cutoff-note">
          {t.cutoffNote(props.rules.changeCutoffHours)} <PhoneLink phone={props.phone} />.
        </p>
      )}
      <div class="actions">
        <button type="submit" class="btn" aria-disabled={busy ? 'true' : undefined}>
          {busy ? t.submitting : t.submit}
        </button>
        <BackButton onBack={props.onBack} t={t} />
      </div>
    </form>
  );
}

/** How long the window stays kept, said quietly (no live region: a countdown read aloud is noise). */
function HoldNote({ hold, t, onRenew }: { hold: Hold; t: Messages; onRenew: (hold: Hold) => void }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(tick);
  }, []);
  const left = hold.deadline - now;
  const lapsing = left < 60_000;
  // Still typing with a minute left: five more minutes, once.
  useEffect(() => {
    if (lapsing && left > 0 && hold.renewable) onRenew(hold);
  }, [hold, lapsing]);
  return (
    <p class="muted" id="hold-note">
      {left > 0 ? t.heldFor(Math.ceil(left / 60_000)) : t.holdExpired}
    </p>
  );
}
