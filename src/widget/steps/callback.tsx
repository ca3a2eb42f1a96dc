/**
 * "Être rappelé": when nothing can be booked online, the customer leaves a name and a number and
 * the desk calls back (POST /v1/requests, with the same proof of work as a booking).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Api, type CustomerRequestBody, type RequestKind } from '../api.js';
import { Field } from '../fields.js';
import type { Errors, FieldKey, Form } from '../flow.js';
import { asProblem, isOutage, problemMessage } from '../form.js';
import type { Messages } from '../i18n.js';
import { BackButton, StepHeader, PhoneLink } from '../parts.js';
import { useProofOfWork } from '../use-proof-of-work.js';
import { isPostcode } from '../validate.js';

/** The request API's field names → the input that shows the message. */
const REQUEST_FIELDS: Record<string, FieldKey> = {
  'body.name': 'name',
  'body.phone': 'phone',
  'body.email': 'email',
  'body.message': 'message',
};

export interface CallbackStepProps {
  api: Api;
  kind: RequestKind;
  serviceId: string;
  form: Form;
  errors: Errors;
  company: string;
  phone: string;
  t: Messages;
  onEdit: (key: FieldKey) => (value: string) => void;
  onLeave: (key: FieldKey) => () => void;
  /** Validates these fields, announcing and focusing the first wrong one; true when all are fine. */
  check: (keys: FieldKey[]) => boolean;
  onRefused: (key: FieldKey, message: string) => void;
  setAlert: (text: string) => void;
  focusOn: (id: string) => void;
  onBack: () => void;
}

export function CallbackStep({ api, form, errors, t, ...props }: CallbackStepProps) {
  const proof = useProofOfWork(api);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [reference, setReference] = useState('');
  // Solved while the customer types, as for a booking.
  useEffect(() => proof.start(), [proof]);

  const send = async () => {
    if (busy || !props.check(['name', 'phone'])) return;
    setBusy(true);
    setFailed(false);
    props.setAlert('');
    try {
      const pow = await proof.take();
      if (!pow) throw new ApiError({ status: 0 });
      const text = (s: string) => s.trim() || undefined;
      const body: CustomerRequestBody = {
        kind: props.kind,
        name: form.name.trim(),
        phone: form.phone.trim(),
        email: text(form.email),
        postcode: isPostcode(form.postcode) ? form.postcode.trim() : undefined,
        serviceId: props.serviceId || undefined,
        message: text(form.message),
        pow,
      };
      const created = await api.request(body);
      setReference(created.reference);
      props.focusOn('step-title');
    } catch (error) {
      const problem = asProblem(error);
      proof.spend();
      const key = problem.field ? REQUEST_FIELDS[problem.field] : undefined;
      if (key && problem.status < 500) return props.onRefused(key, problemMessage(problem, t, t.required));
      setFailed(true);
      // 404: a service without the request queue yet; the phone below is the way out.
      const unreachable = isOutage(problem) || problem.status === 404;
      props.setAlert(unreachable ? t.networkError : problemMessage(problem, t, t.networkError));
    } finally {
      setBusy(false);
    }
  };

  if (reference)
    return (
      <div>
        <StepHeader step="callback" text={t.callbackDone} t={t} />
        <dl>
          <dt>{t.reference}</dt>
          <dd>{reference}</dd>
        </dl>
        <p>{t.callbackDoneText(form.phone.trim())}</p>
      </div>
    );

  return (
    <form
      noValidate
      aria-busy={busy ? 'true' : undefined}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <StepHeader step="callback" text={t.callbackButton} t={t} />
      <p>{t.callbackIntro(props.kind)}</p>
      <Field
        id="name"
        label={t.name}
        value={form.name}
        onValue={props.onEdit('name')}
        onBlur={props.onLeave('name')}
        error={errors.name}
        autocomplete="name"
        required
      />
      <Field
        id="phone"
        label={t.phone}
        value={form.phone}
        onValue={props.onEdit('phone')}
        onBlur={props.onLeave('phone')}
        error={errors.phone}
        type="tel"
        autocomplete="tel"
        inputMode="tel"
        required
      />
      <Field
        id="message"
        label={t.message}
        hint={t.messageHint}
        value={form.message}
        onValue={props.onEdit('message')}
        error={errors.message}
        maxLength={1000}
        multiline
      />
      <p class="muted">{t.callbackPrivacy(props.company)}</p>
      {failed && (
        <p class="info">
          {t.callbackFailed} <PhoneLink phone={props.phone} />.
        </p>
      )}
      <div class="actions">
        <button type="submit" class="btn" aria-disabled={busy ? 'true' : undefined}>
          {busy ? t.callbackSending : t.callbackSubmit}
        </button>
        <BackButton onBack={props.onBack} t={t} />
      </div>
    </form>
  );
}
