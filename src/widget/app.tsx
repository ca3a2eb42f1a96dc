/**
 * The booking widget: the step machine (flow.ts) drives one component per step; this component
 * talks to the service and moves focus and announcements between steps.
 */
import { useEffect, useMemo, useReducer, useRef } from 'preact/hooks';
import { ApiError, createApi, type BookingConfirmation, type BookingRequest, type Problem } from './api.js';
import { flow, startFlow, type FieldKey, type Form, type Step } from './flow.js';
import { asProblem, DEFAULT_RULES, isOutage, problemMessage, SERVER_FIELDS, validate } from './form.js';
import { formatDay, messages, type Lang } from './i18n.js';
import { revealWindows } from './parts.js';
import { Shell, useAnnouncements } from './shell.js';
import { AddressStep } from './steps/address.js';
import { DetailsStep } from './steps/details.js';
import { DoneStep } from './steps/done.js';
import { ServiceStep } from './steps/service.js';
import { horizonDays, SlotsStep } from './steps/slots.js';
import { useProofOfWork } from './use-proof-of-work.js';

export interface AppProps {
  host: HTMLElement;
  apiOrigin: string;
  /** Slug or id of a service to preselect. */
  service?: string;
  lang: Lang;
  phone: string;
  company: string;
  /** What we already know of the customer (booking again from the manage page). */
  prefill?: Partial<Form>;
}

export function App({ host, apiOrigin, service: preselect, lang, phone, company, prefill }: AppProps) {
  const t = messages(lang);
  const api = useMemo(() => createApi(apiOrigin, lang), [apiOrigin, lang]);
  const [state, dispatch] = useReducer(flow, prefill, startFlow);
  const { form, errors, slots } = state;
  const rules = state.rules ?? DEFAULT_RULES;
  const { alert, setAlert, status, setStatus, focusOn } = useAnnouncements(host);
  const proof = useProofOfWork(api);
  /** One idempotency key per attempt: a retry of the very same request (after a network error) reuses it. */
  const attempt = useRef<{ key: string; fingerprint: string } | null>(null);

  const loadServices = () => {
    dispatch({ type: 'servicesRequested' });
    api.services().then(
      ({ services, rules }) => dispatch({ type: 'servicesLoaded', services, rules, preselect }),
      () => dispatch({ type: 'servicesFailed' }),
    );
  };
  useEffect(loadServices, [api, preselect]);

  const go = (step: Step, focusId = 'step-title') => {
    setAlert('');
    dispatch({ type: 'wentTo', step });
    focusOn(focusId);
  };
  const edit = (key: keyof Form) => (value: string) => dispatch({ type: 'edited', key, value });
  /** Checks a field when the customer leaves it, but only once they have typed something. */
  const leave = (key: FieldKey) => () => {
    if (key !== 'consent' && form[key].trim())
      dispatch({ type: 'fieldChecked', key, error: validate(key, form, t, rules) });
  };
  /** Validates the given fields; on failure announces how many and moves focus to the first. */
  const check = (keys: FieldKey[]): boolean => {
    const found = Object.fromEntries(keys.map((k) => [k, validate(k, form, t, rules)]));
    const failing = keys.filter((k) => found[k]);
    dispatch({ type: 'checked', errors: found });
    if (!failing.length) return true;
    setAlert(t.fixErrors(failing.length));
    focusOn(failing[0]!);
    return false;
  };
  /** A refusal that names a field the customer filled on an earlier step: back there, on that field. */
  const refuse = (step: Step, key: FieldKey, message: string) => {
    dispatch({ type: 'refusedOn', step, key, message });
    setAlert(message);
    focusOn(key);
  };

  const submitService = () => {
    if (state.serviceId) return go('address');
    dispatch({ type: 'checked', errors: { service: t.chooseService } });
    setAlert(t.chooseService);
    focusOn(`service-${state.services?.[0]?.id}`);
  };

  const searchWindows = async () => {
    setAlert('');
    dispatch({ type: 'searchStarted' });
    focusOn('step-title');
    setStatus(t.searching);
    try {
      const found = await api.slots(state.serviceId, form.postcode.trim());
      if (found.reason?.code === 'zone-not-served') {
        // An unserved postcode is an answer, not an error: it is still the postcode field's to show.
        setStatus('');
        return refuse('address', 'postcode', t.postcodeNotServed(found.postcode));
      }
      dispatch({ type: 'slotsFound', slots: found });
      const first = found.days[0];
      setStatus(
        first
          ? t.windowCount(formatDay(first.date, lang), first.windows.length)
          : t.noWindow(horizonDays(found)),
      );
    } catch (error) {
      const problem = asProblem(error);
      setStatus('');
      if (problem.field?.endsWith('postcode'))
        return refuse('address', 'postcode', problemMessage(problem, t, t.postcodeInvalid));
      const message = isOutage(problem) ? t.networkError : problemMessage(problem, t, t.networkError);
      dispatch({ type: 'slotsFailed', message });
      setAlert(message);
    }
  };

  const submitAddress = () => {
    if (check(['postcode', 'line'])) void searchWindows();
  };

  const selectDay = (date: string, pointer: boolean) => {
    if (date === state.day || !slots) return;
    dispatch({ type: 'daySelected', date });
    const found = slots.days.find((d) => d.date === date);
    setStatus(t.windowCount(formatDay(date, lang), found?.windows.length ?? 0));
    // On a phone the windows are below the fold: bring them up once the tapped day's are rendered.
    // Not for the keyboard, whose focus stays on the days.
    if (pointer) setTimeout(() => revealWindows(host), 0);
  };

  const submitWindow = () => {
    if (!state.chosen) {
      dispatch({ type: 'checked', errors: { window: t.chooseWindow } });
      setAlert(t.chooseWindow);
      focusOn('window-0');
      return;
    }
    proof.start();
    go('details');
  };

  const book = async (powRetry: boolean): Promise<BookingConfirmation> => {
    const pow = await proof.take();
    if (!pow) throw new ApiError({ status: 0 });
    const request: BookingRequest = {
      serviceId: state.serviceId,
      window: state.chosen!,
      customer: { name: form.name.trim(), phone: form.phone.trim(), email: form.email.trim() || undefined },
      address: { line: form.line.trim(), postcode: form.postcode.trim(), city: form.city.trim() },
      ...(form.notes.trim() ? { notes: form.notes.trim() } : {}),
      consent: true,
      website: form.website,
      pow,
      locale: lang,
    };
    const fingerprint = JSON.stringify({ ...request, pow: undefined });
    if (attempt.current?.fingerprint !== fingerprint)
      attempt.current = { key: crypto.randomUUID(), fingerprint };
    try {
      return await api.book(request, attempt.current.key);
    } catch (error) {
      const problem = asProblem(error);
      if (problem.status > 0 && problem.status < 500) {
        // A definite answer: the challenge is spent and the next try is a new attempt.
        proof.spend();
        attempt.current = null;
        if (powRetry && problem.field?.startsWith('body.pow')) return book(false);
      }
      throw error;
    }
  };

  const submitDetails = async () => {
    if (state.busy || !check(['name', 'phone', 'email', 'city', 'consent'])) return;
    dispatch({ type: 'busy', busy: true });
    setAlert('');
    setStatus(t.submitting);
    try {
      const confirmation = await book(true);
      dispatch({ type: 'booked', confirmation });
      setStatus('');
      focusOn('step-title');
      host.dispatchEvent(
        new CustomEvent('tournee:booked', { bubbles: true, composed: true, detail: confirmation.booking }),
      );
    } catch (error) {
      setStatus('');
      onBookingProblem(asProblem(error));
    } finally {
      dispatch({ type: 'busy', busy: false });
    }
  };

  const onBookingProblem = (problem: Problem) => {
    if (problem.status === 409 && problem.alternatives) {
      dispatch({ type: 'windowTaken', days: problem.alternatives.days });
      focusOn('step-title');
      setAlert(t.windowTaken);
      return;
    }
    if (isOutage(problem)) return setAlert(t.networkError);
    const message = problemMessage(problem, t, t.networkError, rules);
    const key = problem.field ? SERVER_FIELDS[problem.field] : undefined;
    if (key === 'postcode' || key === 'line') return refuse('address', key, message);
    if (key) return refuse('details', key, message);
    if (problem.field?.startsWith('body.window')) go('slots');
    setAlert(message);
  };

  const service = state.services?.find((s) => s.id === state.serviceId);
  const timeZone = slots?.timezone ?? 'Europe/Paris';
  let body;
  switch (state.step) {
    case 'service':
      body = (
        <ServiceStep
          services={state.services}
          failed={state.servicesFailed}
          serviceId={state.serviceId}
          error={errors.service}
          phone={phone}
          t={t}
          onRetry={loadServices}
          onChoose={(id) => dispatch({ type: 'serviceChosen', id })}
          onSubmit={submitService}
        />
      );
      break;
    case 'address':
      body = (
        <AddressStep
          service={service}
          form={form}
          errors={errors}
          canGoBack={(state.services?.length ?? 0) > 1}
          t={t}
          onEdit={edit}
          onLeave={leave}
          onBack={() => go('service')}
          onSubmit={submitAddress}
        />
      );
      break;
    case 'slots':
      body = (
        <SlotsStep
          service={service}
          postcode={form.postcode}
          slots={slots}
          failed={state.slotsFailed}
          day={state.day}
          chosen={state.chosen}
          error={errors.window}
          phone={phone}
          lang={lang}
          t={t}
          onRetry={searchWindows}
          onDay={selectDay}
          onWindow={(window) => dispatch({ type: 'windowChosen', window })}
          onBack={() => go('address')}
          onSubmit={submitWindow}
        />
      );
      break;
    case 'details':
      body = (
        <DetailsStep
          service={service}
          chosen={state.chosen}
          timeZone={timeZone}
          form={form}
          errors={errors}
          busy={state.busy}
          company={company}
          rules={rules}
          phone={phone}
          lang={lang}
          t={t}
          onEdit={edit}
          onLeave={leave}
          onConsent={(checked) => dispatch({ type: 'edited', key: 'consent', value: checked })}
          onBack={() => go('slots')}
          onSubmit={submitDetails}
        />
      );
      break;
    case 'done':
      body = state.done && <DoneStep done={state.done} timeZone={timeZone} lang={lang} t={t} />;
  }

  return (
    <Shell lang={lang} title={t.title} alert={alert} status={status}>
      {body}
    </Shell>
  );
}
