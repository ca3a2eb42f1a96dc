/** Step 2: where — the postal code decides who can come, the street line where they go. */
import type { ComponentChildren } from 'preact';
import type { Service } from '../api.js';
import { Field } from '../fields.js';
import type { Errors, FieldKey, Form } from '../flow.js';
import type { Messages } from '../i18n.js';
import { BackButton, ServiceSummary, StepHeader } from '../parts.js';

export interface AddressStepProps {
  service: Service | undefined;
  form: Form;
  errors: Errors;
  /** Several services: the customer may go back and choose another. */
  canGoBack: boolean;
  t: Messages;
  onEdit: (key: FieldKey) => (value: string) => void;
  onLeave: (key: FieldKey) => () => void;
  onBack: () => void;
  onSubmit: () => void;
  /** What to do when we do not serve the postcode (the areas we serve, the phone, a call back). */
  children?: ComponentChildren;
}

export function AddressStep({ service, form, errors, canGoBack, t, children, ...on }: AddressStepProps) {
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        on.onSubmit();
      }}
    >
      <StepHeader step="address" text={t.addressStep} t={t} />
      {service && (
        <div class="summary">
          <ServiceSummary service={service} />
        </div>
      )}
      <Field
        id="postcode"
        label={t.postcode}
        hint={t.postcodeHint}
        value={form.postcode}
        onValue={on.onEdit('postcode')}
        onBlur={on.onLeave('postcode')}
        error={errors.postcode}
        inputMode="numeric"
        autocomplete="postal-code"
        maxLength={5}
        required
      />
      <Field
        id="line"
        label={t.addressLine}
        value={form.line}
        onValue={on.onEdit('line')}
        onBlur={on.onLeave('line')}
        error={errors.line}
        autocomplete="street-address"
        required
      />
      <div class="actions">
        <button type="submit" class="btn">
          {t.seeWindows}
        </button>
        {canGoBack && <BackButton onBack={on.onBack} t={t} />}
      </div>
      {children}
    </form>
  );
}
