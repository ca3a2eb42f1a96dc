/**
 * The booking widget: the step machine (flow.ts) drives one component per step; this component
 * talks to the service and moves focus and announcements between steps.
 */
import { useEffect, useMemo, useReducer, useRef } from 'preact/hooks';
import {
  ApiError,
  createApi,
  type BookingConfirmation,
  type BookingRequest,
  type Problem,
  type RequestKind,
} from './api.js';
import { flow, startFlow, type FieldKey, type Form, type Step } from './flow.js';
import { asProblem, DEFAULT_RULES, isOutage, problemMessage, SERVER_FIELDS, validate } from './form.js';
import { formatDay, messages, type Lang } from './i18n.js';
import { revealWindows } from './parts.js';
import { ReasonPanel, reasonSentence } from './reasons.js';
import { Shell, useAnnouncements } from './shell.js';
import { AddressStep } from './steps/address.js';
import { CallbackStep } from './steps/callback.js';
import { DetailsStep } from './steps/details.js';
import { DoneStep } from './steps/done.js';
import { ServiceStep } from './steps/service.js';
import { SlotsStep } from './steps/slots.js';
import { holdActions } from './use-hold.js';
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
  const holds = useMemo(() => holdActions(api, dispatch), [api]);
  // A customer who closes the tab or leaves the page gives the window back to everyone at once,
  // rather than in five minutes (pagehide, not visibilitychange: switching apps on a phone to
  // check a calendar keeps it).
  const heldOnLeave = state.hold?.id;
  useEffect(() => {
    if (!heldOnLeave) return;
    const release = () => void api.releaseHold(heldOnLeave, true).catch(() => undefined);
    window.addEventListener('pagehide', release);
    return () => window.removeEventListener('pagehide', release);
  }, [api, heldOnLeave]);
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
    if (key === 'consent' || !form[key].trim()) return;
    // Only ever adds an error: typing clears one, and the service's own ("not served") must stay.
    const error = validate(key, form, t, rules);
    if (error) dispatch({ type: 'fieldChecked', key, error });
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
  const refuse = (step: Step, key: FieldKey, message: string, as: 'alert' | 'answer' = 'alert') => {
    dispatch({ type: 'refusedOn', step, key, message });
    // An answer (we do not serve this postcode) is said once, by the field, politely; only a
    // refusal also goes in the alert banner.
    if (as === 'alert') setAlert(message);
    else setStatus(message);
    focusOn(key);
  };

  const submitService = () => {
    if (state.serviceId) return go('address');
    dispatch({ type: 'checked', errors: { service: t.chooseService } });
    setAlert(t.chooseService);
    focusOn(`service-${state.services?.[0]?.id}`);
  };

  const searchWindows = async (serviceId = state.serviceId) => {
    setAlert('');
    dispatch({ type: 'searchStarted' });
    focusOn('step-title');
    setStatus(t.searching);
    try {
      const postcode = form.postcode.trim();
      const found = await api.slots(serviceId, postcode);
      // Solved when the customer chooses a window: no request of its own for it.
      if (found.challenge) proof.offer(found.challenge);
      dispatch({ type: 'slotsFound', slots: found });
      if (found.reason?.code === 'zone-not-served') {
        // An unserved postcode is an answer, not an error: it is still the postcode field's to show,
        // with the areas we serve, the phone and "Être rappelé" below.
        return refuse('address', 'postcode', t.postcodeNotServed(found.postcode), 'answer');
      }
      if (found.reason?.code === 'service-not-offered-here')
        // Which other services can be booked here, to offer them instead.
        api.services(postcode).then(
          ({ services }) => dispatch({ type: 'servicesHere', postcode, services }),
          () => undefined,
        );
      const first = found.days[0];
      setStatus(
        first
          ? t.windowCount(formatDay(first.date, lang), first.windows.length)
          : reasonSentence(found, lang, t),
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

  const chooseServiceHere = (id: string) => {
    dispatch({ type: 'serviceChosen', id });
    void searchWindows(id);
  };

  const askCallback = (kind: RequestKind) => {
    setAlert('');
    dispatch({ type: 'callbackOpened', kind });
    focusOn('step-title');
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

  const submitWindow = async () => {
    if (state.busy) return;
    if (!state.chosen) {
      dispatch({ type: 'checked', errors: { window: t.chooseWindow } });
      setAlert(t.chooseWindow);
      focusOn('window-0');
      return;
    }
    proof.start();
    // Kept for this customer while they type their details.
    dispatch({ type: 'busy', busy: true });
    const held = await holds.place(state.hold, state.serviceId, state.chosen, form.postcode.trim());
    dispatch({ type: 'busy', busy: false });
    if (held.taken) return windowTaken(held.taken);
    go('details');
  };

  const windowTaken = (days: NonNullable<Problem['alternatives']>['days']) => {
    dispatch({ type: 'windowTaken', days });
    focusOn('step-title');
    setAlert(t.windowTaken);
  };

  /** The hold on the chosen window, if there is one. */
  const heldId = () => {
    const { hold, chosen } = state;
    return hold && chosen && hold.window.start === chosen.start && hold.window.end === chosen.end
      ? hold.id
      : '';
  };

  const book = async (powRetry: boolean, holdId = heldId()): Promise<BookingConfirmation> => {
    const pow = await proof.take();
    if (!pow) throw new ApiError({ status: 0 });
    const { start, end, needsMoves } = state.chosen!;
    const request: BookingRequest = {
      serviceId: state.serviceId,
      window: { start, end },
      // Offered by moving other visits: the booking may move them, under the same locks.
      ...(needsMoves ? { needsMoves: true } : {}),
      customer: { name: form.name.trim(), phone: form.phone.trim(), email: form.email.trim() || undefined },
      address: { line: form.line.trim(), postcode: form.postcode.trim(), city: form.city.trim() },
      ...(form.notes.trim() ? { notes: form.notes.trim() } : {}),
      ...(holdId ? { holdId } : {}),
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
        // A definite answer: the challenge is spent and the next try is a new attempt (with a
        // challenge from GET /v1/challenge when the proof itself was refused).
        proof.spend(problem.field?.startsWith('body.pow') === true);
        attempt.current = null;
        if (powRetry && problem.field?.startsWith('body.pow')) return book(false, holdId);
        // A hold purged meanwhile: the booking stands on its own (the window is checked anyway).
        if (holdId && problem.field === 'body.holdId') return book(powRetry, '');
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
    if (problem.status === 409 && problem.alternatives) return windowTaken(problem.alternatives.days);
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
          here={state.here?.postcode === form.postcode.trim() ? state.here : null}
          error={errors.service}
          phone={phone}
          t={t}
          onRetry={loadServices}
          onCallback={() => askCallback('callback')}
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
        >
          {slots?.reason?.code === 'zone-not-served' && slots.postcode === form.postcode.trim() && (
            <ReasonPanel
              slots={slots}
              here={null}
              phone={phone}
              lang={lang}
              t={t}
              onService={chooseServiceHere}
              onCallback={askCallback}
            />
          )}
        </AddressStep>
      );
      break;
    case 'slots':
      body = (
        <SlotsStep
          service={service}
          postcode={form.postcode}
          slots={slots}
          failed={state.slotsFailed}
          here={state.here && state.here.postcode === slots?.postcode ? state.here.services : null}
          busy={state.busy}
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
          onService={chooseServiceHere}
          onCallback={askCallback}
          onSubmit={() => void submitWindow()}
        />
      );
      break;
    case 'details':
      body = (
        <DetailsStep
          service={service}
          chosen={state.chosen}
          hold={heldId() ? state.hold : null}
          onRenew={(hold) => void holds.renew(hold)}
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
      body = state.done && <DoneStep done={state.done} timeZone={timeZone} phone={phone} lang={lang} t={t} />;
      break;
    case 'callback':
      body = (
        <CallbackStep
          api={api}
          kind={state.callback?.kind ?? 'callback'}
          serviceId={state.serviceId}
          form={form}
          errors={errors}
          company={company}
          phone={phone}
          t={t}
          onEdit={edit}
          onLeave={leave}
          check={check}
          onRefused={(key, message) => refuse('callback', key, message)}
          setAlert={setAlert}
          focusOn={focusOn}
          onBack={() => go(state.callback?.back ?? 'service')}
        />
      );
  }

  return (
    <Shell lang={lang} title={t.title} alert={alert} status={status}>
      {body}
    </Shell>
  );
}
