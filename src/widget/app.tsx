/**
 * The booking flow: service → address → day and window → contact details →
 * confirmation. Everything the customer typed lives here, above the steps, so
 * going back, a network error or a window taken meanwhile (409) never loses it.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  createApi,
  type BookingConfirmation,
  type BookingRequest,
  type Problem,
  type Service,
  type Slots,
  type TimeWindow,
} from './api.js';
import { Field } from './fields.js';
import { formatDay, formatWindow, messages, type Lang, type Messages } from './i18n.js';
import { DayPicker, WindowPicker } from './pickers.js';
import { solveChallenge } from './pow.js';
import { Shell, StepHeading, useAnnouncements } from './shell.js';
import { isEmail, isFrenchPhone, isPostcode } from './validate.js';

export interface AppProps {
  host: HTMLElement;
  apiOrigin: string;
  /** Slug or id of a service to preselect. */
  service?: string;
  lang: Lang;
  phone: string;
  company: string;
}

type Step = 'service' | 'address' | 'slots' | 'details' | 'done';
const STEP_NUMBER: Record<Step, number> = { service: 1, address: 2, slots: 3, details: 4, done: 4 };

interface Form {
  postcode: string;
  line: string;
  city: string;
  name: string;
  phone: string;
  email: string;
  notes: string;
  consent: boolean;
  /** Honeypot: hidden from people, filled by naive bots. */
  website: string;
}
type FieldKey = Exclude<keyof Form, 'website'>;
type Errors = Partial<Record<FieldKey | 'service' | 'window', string>>;

const EMPTY_FORM: Form = {
  postcode: '',
  line: '',
  city: '',
  name: '',
  phone: '',
  email: '',
  notes: '',
  consent: false,
  website: '',
};

/** The booking API's field names (RFC 9457 `field`) → the input that shows the message. */
const SERVER_FIELDS: Record<string, FieldKey> = {
  'body.customer.name': 'name',
  'body.customer.phone': 'phone',
  'body.customer.email': 'email',
  'body.address.line': 'line',
  'body.address.city': 'city',
  'body.address.postcode': 'postcode',
  'body.notes': 'notes',
  'body.consent': 'consent',
};

const DAY_MS = 86_400_000;

interface Proof {
  challenge: string;
  nonce: string;
}

function validate(key: FieldKey, form: Form, t: Messages): string | undefined {
  const value = key === 'consent' ? '' : form[key].trim();
  switch (key) {
    case 'postcode':
      return isPostcode(value) ? undefined : t.postcodeInvalid;
    case 'phone':
      return !value ? t.required : isFrenchPhone(value) ? undefined : t.phoneInvalid;
    case 'email':
      return !value ? t.required : isEmail(value) ? undefined : t.emailInvalid;
    case 'consent':
      return form.consent ? undefined : t.consentMissing;
    case 'notes':
      return undefined;
    default:
      return value ? undefined : t.required;
  }
}

/**
 * What to tell the customer about a refused request. Business refusals (422, 409) come worded for
 * people in the asked language; schema errors (400) are worded for developers ("body.customer.phone: …"),
 * so for the fields we check ourselves our own sentence is better.
 */
function problemMessage(problem: Problem, t: Messages, fallback: string): string {
  const key = problem.field ? SERVER_FIELDS[problem.field] : undefined;
  if (problem.status === 400 && key) {
    const own = {
      postcode: t.postcodeInvalid,
      phone: t.phoneInvalid,
      email: t.emailInvalid,
      consent: t.consentMissing,
    }[key as string];
    if (own) return own;
  }
  let detail = problem.detail;
  if (detail && problem.field && detail.startsWith(`${problem.field}: `))
    detail = detail.slice(problem.field.length + 2);
  return detail || problem.title || fallback;
}

function asProblem(error: unknown): Problem {
  return error instanceof ApiError ? error.problem : { status: 0 };
}

export function App({ host, apiOrigin, service: preselect, lang, phone, company }: AppProps) {
  const t = messages(lang);
  const api = useMemo(() => createApi(apiOrigin, lang), [apiOrigin, lang]);

  const [services, setServices] = useState<Service[] | null>(null);
  const [servicesFailed, setServicesFailed] = useState(false);
  const [serviceId, setServiceId] = useState('');
  const [step, setStep] = useState<Step>('service');
  const [form, setForm] = useState<Form>(EMPTY_FORM);
  const [errors, setErrors] = useState<Errors>({});
  const [slots, setSlots] = useState<Slots | null>(null);
  const [slotsFailed, setSlotsFailed] = useState('');
  const [day, setDay] = useState('');
  const [chosen, setChosen] = useState<TimeWindow | null>(null);
  const { alert, setAlert, status, setStatus, focusOn } = useAnnouncements(host);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<BookingConfirmation | null>(null);

  const proof = useRef<Promise<Proof | null> | null>(null);
  const attempt = useRef<{ key: string; fingerprint: string } | null>(null);
  const autoCity = useRef('');

  const loadServices = () => {
    setServicesFailed(false);
    api
      .services()
      .then((list) => {
        setServices(list);
        const wanted = list.find((s) => s.id === preselect || s.slug === preselect);
        if (wanted) {
          setServiceId(wanted.id);
          setStep((s) => (s === 'service' ? 'address' : s));
        }
      })
      .catch(() => setServicesFailed(true));
  };
  useEffect(loadServices, [api, preselect]);

  const go = (next: Step, focusId = 'step-title') => {
    setAlert('');
    setErrors({});
    setStep(next);
    focusOn(focusId);
  };

  const set = (key: keyof Form) => (value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key as FieldKey]) setErrors((e) => ({ ...e, [key]: undefined }));
  };
  /** Checks a field when the customer leaves it, but only once they have typed something. */
  const blur = (key: FieldKey) => () => {
    if (key !== 'consent' && form[key].trim()) setErrors((e) => ({ ...e, [key]: validate(key, form, t) }));
  };

  /** Validates the given fields; on failure announces how many and moves focus to the first. */
  const check = (keys: FieldKey[]): boolean => {
    const found: Errors = {};
    for (const key of keys) found[key] = validate(key, form, t);
    const failing = keys.filter((k) => found[k]);
    setErrors(found);
    if (!failing.length) return true;
    setAlert(t.fixErrors(failing.length));
    focusOn(failing[0]!);
    return false;
  };

  const selectedService = services?.find((s) => s.id === serviceId);

  // ---- step 1: service
  const submitService = (e: Event) => {
    e.preventDefault();
    if (!serviceId) {
      setErrors({ service: t.chooseService });
      setAlert(t.chooseService);
      focusOn(`service-${services?.[0]?.id}`);
      return;
    }
    go('address');
  };

  // ---- step 2: address, then the search for windows
  const searchWindows = async () => {
    go('slots');
    setSlots(null);
    setSlotsFailed('');
    setChosen(null);
    setStatus(t.searching);
    try {
      const found = await api.slots(serviceId, form.postcode.trim());
      setSlots(found);
      const first = found.days[0];
      setDay(first?.date ?? '');
      setForm((f) => ({ ...f, city: !f.city || f.city === autoCity.current ? found.city : f.city }));
      autoCity.current = found.city;
      setStatus(
        first
          ? t.windowCount(formatDay(first.date, lang), first.windows.length)
          : t.noWindow(horizonDays(found)),
      );
    } catch (error) {
      const problem = asProblem(error);
      setStatus('');
      if (problem.field?.endsWith('postcode')) {
        const message = problemMessage(problem, t, t.postcodeInvalid);
        setStep('address');
        setErrors({ postcode: message });
        setAlert(message);
        focusOn('postcode');
        return;
      }
      const message =
        problem.status === 0 || problem.status >= 500
          ? t.networkError
          : problemMessage(problem, t, t.networkError);
      setSlotsFailed(message);
      setAlert(message);
    }
  };

  const submitAddress = (e: Event) => {
    e.preventDefault();
    if (check(['postcode', 'line'])) void searchWindows();
  };

  // ---- step 3: day and window
  const selectDay = (date: string) => {
    if (date === day || !slots) return;
    setDay(date);
    setChosen(null);
    const found = slots.days.find((d) => d.date === date);
    setStatus(t.windowCount(formatDay(date, lang), found?.windows.length ?? 0));
  };

  /** Fetches and solves the anti-spam challenge in the background while the customer types. */
  const startProof = () => {
    proof.current ??= api
      .challenge()
      .then(async (c) => ({ challenge: c.challenge, nonce: await solveChallenge(c.challenge, c.difficulty) }))
      .catch(() => null);
  };

  const submitWindow = (e: Event) => {
    e.preventDefault();
    if (!chosen) {
      setErrors({ window: t.chooseWindow });
      setAlert(t.chooseWindow);
      focusOn('window-0');
      return;
    }
    startProof();
    go('details');
  };

  // ---- step 4: details and booking
  const book = async (powRetry: boolean): Promise<BookingConfirmation> => {
    startProof();
    let pow = await proof.current;
    if (!pow) {
      // The challenge could not be fetched (offline for a moment): try once more now.
      proof.current = null;
      startProof();
      pow = await proof.current;
      if (!pow) throw new ApiError({ status: 0 });
    }
    const request: BookingRequest = {
      serviceId,
      window: chosen!,
      customer: { name: form.name.trim(), phone: form.phone.trim(), email: form.email.trim() },
      address: { line: form.line.trim(), postcode: form.postcode.trim(), city: form.city.trim() },
      ...(form.notes.trim() ? { notes: form.notes.trim() } : {}),
      consent: true,
      website: form.website,
      pow,
      locale: lang,
    };
    // One idempotency key per attempt: a retry of the very same request (after a network error) reuses it.
    const fingerprint = JSON.stringify({ ...request, pow: undefined });
    if (attempt.current?.fingerprint !== fingerprint)
      attempt.current = { key: crypto.randomUUID(), fingerprint };
    try {
      return await api.book(request, attempt.current.key);
    } catch (error) {
      const problem = asProblem(error);
      if (problem.status > 0 && problem.status < 500) {
        // A definite answer: the challenge is spent and the next try is a new attempt.
        proof.current = null;
        attempt.current = null;
        if (powRetry && problem.field?.startsWith('body.pow')) return book(false);
      }
      throw error;
    }
  };

  const submitDetails = async (e: Event) => {
    e.preventDefault();
    if (busy || !check(['name', 'phone', 'email', 'city', 'consent'])) return;
    setBusy(true);
    setAlert('');
    setStatus(t.submitting);
    try {
      const confirmation = await book(true);
      setDone(confirmation);
      setStatus('');
      go('done');
      host.dispatchEvent(
        new CustomEvent('tournee:booked', { bubbles: true, composed: true, detail: confirmation.booking }),
      );
    } catch (error) {
      setStatus('');
      onBookingProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const onBookingProblem = (problem: Problem) => {
    if (problem.status === 409 && problem.alternatives) {
      const days = problem.alternatives?.days ?? [];
      setSlots((s) => (s ? { ...s, days } : s));
      setDay(days[0]?.date ?? '');
      setChosen(null);
      go('slots');
      setAlert(t.windowTaken);
      return;
    }
    if (problem.status === 0 || problem.status >= 500) return setAlert(t.networkError);
    const message = problemMessage(problem, t, t.networkError);
    const key = problem.field ? SERVER_FIELDS[problem.field] : undefined;
    if (key === 'postcode' || key === 'line') {
      setStep('address');
      setErrors({ [key]: message });
      focusOn(key);
    } else if (key) {
      setErrors({ [key]: message });
      focusOn(key);
    } else if (problem.field?.startsWith('body.window')) {
      go('slots');
    }
    setAlert(message);
  };

  // ---- rendering
  const heading = (text: string) => (
    <>
      {step !== 'done' && <p class="muted">{t.stepOf(STEP_NUMBER[step], 4)}</p>}
      <StepHeading text={text} />
    </>
  );
  const back = (to: Step) => (
    <button type="button" class="btn ghost" onClick={() => go(to)}>
      {t.back}
    </button>
  );
  const callUs = (
    <p>
      {t.callUs} <a href={`tel:${phone.replace(/[^\d+]/g, '')}`}>{phone}</a>.
    </p>
  );
  const timeZone = slots?.timezone ?? 'Europe/Paris';
  const serviceSummary = selectedService && (
    <p>
      <strong>{selectedService.name}</strong>
      {selectedService.priceLabel ? ` · ${selectedService.priceLabel}` : ''}
    </p>
  );

  let body;
  if (step === 'service') {
    body = (
      <form noValidate onSubmit={submitService}>
        {heading(t.serviceStep)}
        {servicesFailed ? (
          <div class="actions">
            <button type="button" class="btn" onClick={loadServices}>
              {t.retry}
            </button>
          </div>
        ) : !services ? (
          <div class="loading" role="status" aria-label={t.loading}>
            <span />
            <span />
            <span />
          </div>
        ) : !services.length ? (
          <div class="info">
            <p>{t.noService}</p>
            {callUs}
          </div>
        ) : (
          <>
            <fieldset aria-describedby={errors.service ? 'service-err' : undefined}>
              <legend class="sr">{t.serviceLegend}</legend>
              {services.map((s) => (
                <label class="choice" key={s.id}>
                  <input
                    type="radio"
                    name="service"
                    id={`service-${s.id}`}
                    value={s.id}
                    checked={serviceId === s.id}
                    onChange={() => setServiceId(s.id)}
                  />
                  <span>
                    <strong>{s.name}</strong>
                    <span class="muted">{s.description}</span>
                    <br />
                    {s.priceLabel && <span class="price">{s.priceLabel}</span>}
                    {s.priceLabel && ' · '}
                    <span class="muted">{t.duration(s.durationMinutes)}</span>
                  </span>
                </label>
              ))}
              {errors.service && (
                <p id="service-err" class="err">
                  {errors.service}
                </p>
              )}
            </fieldset>
            <div class="actions">
              <button type="submit" class="btn">
                {t.next}
              </button>
            </div>
          </>
        )}
      </form>
    );
  } else if (step === 'address') {
    body = (
      <form noValidate onSubmit={submitAddress}>
        {heading(t.addressStep)}
        {serviceSummary && <div class="summary">{serviceSummary}</div>}
        <Field
          id="postcode"
          label={t.postcode}
          hint={t.postcodeHint}
          value={form.postcode}
          onValue={set('postcode')}
          onBlur={blur('postcode')}
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
          onValue={set('line')}
          onBlur={blur('line')}
          error={errors.line}
          autocomplete="street-address"
          required
        />
        <div class="actions">
          <button type="submit" class="btn">
            {t.seeWindows}
          </button>
          {(services?.length ?? 0) > 1 && back('service')}
        </div>
      </form>
    );
  } else if (step === 'slots') {
    const current = slots?.days.find((d) => d.date === day);
    body = (
      <form noValidate onSubmit={submitWindow}>
        {heading(t.slotsStep)}
        <div class="summary">
          {serviceSummary}
          <p>
            {form.postcode} {slots?.city ?? ''}
          </p>
        </div>
        {slotsFailed ? (
          <div class="actions">
            <button type="button" class="btn" onClick={searchWindows}>
              {t.retry}
            </button>
            {back('address')}
          </div>
        ) : !slots ? (
          <div class="loading" aria-busy="true" aria-label={t.searching}>
            {[0, 1, 2, 3, 4, 5].map((i) => (
              <span key={i} />
            ))}
          </div>
        ) : !current ? (
          <>
            <div class="info">
              <p>{t.noWindow(horizonDays(slots))}</p>
              {callUs}
            </div>
            <div class="actions">{back('address')}</div>
          </>
        ) : (
          <>
            <DayPicker days={slots.days} selected={day} onSelect={selectDay} lang={lang} t={t} />
            <WindowPicker
              day={current}
              selected={chosen}
              onSelect={(w) => {
                setChosen(w);
                setErrors({});
              }}
              lang={lang}
              timeZone={timeZone}
              t={t}
              error={errors.window}
            />
            <div class="actions">
              <button type="submit" class="btn">
                {t.next}
              </button>
              {back('address')}
            </div>
          </>
        )}
      </form>
    );
  } else if (step === 'details') {
    body = (
      <form noValidate onSubmit={submitDetails} aria-busy={busy ? 'true' : undefined}>
        {heading(t.detailsStep)}
        <div class="summary">
          {serviceSummary}
          {chosen && (
            <p>
              {t.arrivalBetween} {formatWindow(chosen.start, chosen.end, lang, timeZone)}
            </p>
          )}
          <p>
            {form.line}, {form.postcode}
          </p>
        </div>
        <Field
          id="name"
          label={t.name}
          value={form.name}
          onValue={set('name')}
          onBlur={blur('name')}
          error={errors.name}
          autocomplete="name"
          required
        />
        <Field
          id="phone"
          label={t.phone}
          type="tel"
          value={form.phone}
          onValue={set('phone')}
          onBlur={blur('phone')}
          error={errors.phone}
          autocomplete="tel"
          inputMode="tel"
          required
        />
        <Field
          id="email"
          label={t.email}
          type="email"
          value={form.email}
          onValue={set('email')}
          onBlur={blur('email')}
          error={errors.email}
          autocomplete="email"
          inputMode="email"
          required
        />
        <Field
          id="city"
          label={t.city}
          value={form.city}
          onValue={set('city')}
          onBlur={blur('city')}
          error={errors.city}
          autocomplete="address-level2"
          required
        />
        <Field
          id="notes"
          label={t.notes}
          hint={t.notesHint}
          value={form.notes}
          onValue={set('notes')}
          error={errors.notes}
          maxLength={1000}
          multiline
        />
        <div class="hp" aria-hidden="true">
          <label for="website">{t.honeypot}</label>
          <input
            id="website"
            name="website"
            tabIndex={-1}
            autocomplete="off"
            value={form.website}
            onInput={(e) => set('website')((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <label class="check">
          <input
            type="checkbox"
            id="consent"
            checked={form.consent}
            aria-invalid={errors.consent ? 'true' : undefined}
            aria-describedby={errors.consent ? 'consent-err' : undefined}
            onChange={(e) => {
              const checked = (e.currentTarget as HTMLInputElement).checked;
              setForm((f) => ({ ...f, consent: checked }));
              if (checked) setErrors((x) => ({ ...x, consent: undefined }));
            }}
          />
          <span>{t.consent(company)}</span>
        </label>
        {errors.consent && (
          <p id="consent-err" class="err">
            {errors.consent}
          </p>
        )}
        <div class="actions">
          <button type="submit" class="btn" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t.submitting : t.submit}
          </button>
          {back('slots')}
        </div>
      </form>
    );
  } else if (done) {
    const b = done.booking;
    body = (
      <div>
        {heading(t.doneStep)}
        <dl>
          <dt>{t.reference}</dt>
          <dd>{b.reference}</dd>
          <dt>{t.serviceLegend}</dt>
          <dd>{b.service.name}</dd>
          <dt>{t.arrivalBetween}</dt>
          <dd>{formatWindow(b.window.start, b.window.end, lang, timeZone)}</dd>
          <dt>{t.address}</dt>
          <dd>
            {b.address.line}, {b.address.postcode} {b.address.city}
          </dd>
        </dl>
        <div class="actions">
          <a class="btn" href={done.icsUrl} download>
            {t.addToCalendar}
          </a>
          <a class="btn ghost" href={done.manageUrl} target="_blank" rel="noopener">
            {t.manage}
          </a>
        </div>
        <p class="muted">{t.doneNote}</p>
      </div>
    );
  }

  return (
    <Shell lang={lang} title={t.title} alert={alert} status={status}>
      {body}
    </Shell>
  );
}

export function horizonDays(slots: Slots): number {
  return Math.round((Date.parse(slots.to) - Date.parse(slots.from)) / DAY_MS) + 1;
}
