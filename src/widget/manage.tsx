/**
 * The manage view behind the link in the confirmation (`/manage#<id>.<token>`):
 * see the booking, move it to another offered window, or cancel it, and book
 * again after a cancel. Actions the service would refuse (past the change
 * cut-off) are not offered: the view says why and gives the phone. The token
 * stays in the URL fragment, which browsers never send to a server.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  ApiError,
  createApi,
  type Booking,
  type ManageKey,
  type Problem,
  type Slots,
  type TimeWindow,
  withoutMoves,
} from './api.js';
import { App } from './app.js';
import { formatDay, formatInstant, formatWindow, messages, type Lang, type Messages } from './i18n.js';
import { CallUs, revealWindows, PhoneLink } from './parts.js';
import { DayPicker, WindowPicker } from './pickers.js';
import { Shell, StepHeading, useAnnouncements } from './shell.js';

export interface ManageProps {
  host: HTMLElement;
  apiOrigin: string;
  lang: Lang;
  phone: string;
  company: string;
  manageKey: ManageKey | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "<id>.<token>" from the manage link's fragment (or the element's `manage` attribute); null if it is not one. */
export function parseManageKey(value: string): ManageKey | null {
  const raw = value.replace(/^#/, '');
  const dot = raw.indexOf('.');
  const id = raw.slice(0, dot);
  const token = raw.slice(dot + 1);
  return dot > 0 && token && UUID.test(id) ? { id, token } : null;
}

/** view: the booking; cancel: the question; reschedule: the windows; rebook: the booking flow again. */
type Mode = 'view' | 'cancel' | 'reschedule' | 'rebook';
/** What just happened, shown above the booking with its next step. */
type Outcome = 'moved' | 'cancelled' | null;

const problemOf = (error: unknown): Problem => (error instanceof ApiError ? error.problem : { status: 0 });

/** A refusal worded for people; schema errors (400) and unknown links are developer talk, never shown. */
function refusalText(p: Problem, t: Messages): string {
  if (p.status === 400 || p.status === 401 || p.status === 403 || p.status === 404) return t.badLink;
  if (p.status === 0 || p.status >= 500) return t.networkError;
  return p.detail || t.networkError;
}

export function ManageApp({ host, apiOrigin, lang, phone, company, manageKey }: ManageProps) {
  const t = messages(lang);
  const api = useMemo(() => createApi(apiOrigin, lang), [apiOrigin, lang]);
  const { alert, setAlert, status, setStatus, focusOn } = useAnnouncements(host);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [mode, setMode] = useState<Mode>('view');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [slots, setSlots] = useState<Slots | null>(null);
  const [day, setDay] = useState('');
  const [chosen, setChosen] = useState<TimeWindow | null>(null);
  const [busy, setBusy] = useState(false);
  const timeZone = slots?.timezone ?? 'Europe/Paris';

  useEffect(() => {
    setBooking(null);
    setMode('view');
    setOutcome(null);
    if (!manageKey) return setAlert(t.badLink);
    setAlert('');
    api.booking(manageKey).then(setBooking, (error) => setAlert(refusalText(problemOf(error), t)));
  }, [api, manageKey?.id, manageKey?.token]);

  const show = (next: Mode, focusId = 'step-title') => {
    setMode(next);
    focusOn(focusId);
  };
  const notify = (name: string, detail: Booking) =>
    host.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail }));

  const run = async (action: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setAlert('');
    try {
      await action();
    } catch (error) {
      const p = problemOf(error);
      if (p.status === 409 && p.alternatives) {
        setSlots((s) => (s ? { ...s, days: p.alternatives!.days } : s));
        setDay(p.alternatives.days[0]?.date ?? '');
        setChosen(null);
        setAlert(t.windowTaken);
        focusOn('step-title');
        return;
      }
      setAlert(refusalText(p, t));
      if (p.status === 409 || p.status === 422 || p.status === 403) {
        // Refused (too late, no longer active): back to the booking as it now is, without the actions —
        // hidden at once, not only when the re-read arrives (they would flash back meanwhile).
        setBooking((current) => (current ? { ...current, changeable: false } : current));
        show('view');
        await api.booking(manageKey!).then(setBooking, () => undefined);
      }
    } finally {
      setBusy(false);
    }
  };

  const startReschedule = () =>
    run(async () => {
      setOutcome(null);
      show('reschedule');
      setSlots(null);
      setChosen(null);
      setStatus(t.searching);
      // A reschedule moves only this visit: windows that need others moved are not offered here.
      const found = withoutMoves(await api.slots(booking!.service.id, booking!.address.postcode));
      setSlots(found);
      setDay(found.days[0]?.date ?? '');
      setStatus(
        found.days[0]
          ? t.windowCount(formatDay(found.days[0].date, lang), found.days[0].windows.length)
          : t.noWindow(formatDay(found.to, lang)),
      );
    });

  const confirmReschedule = (e: Event) => {
    e.preventDefault();
    if (!chosen) {
      setAlert(t.chooseWindow);
      focusOn('window-0');
      return;
    }
    void run(async () => {
      const moved = await api.reschedule(manageKey!, chosen);
      setBooking(moved);
      setOutcome('moved');
      show('view', 'outcome');
      setStatus(t.rescheduledNow(formatWindow(moved.window.start, moved.window.end, lang, timeZone)));
      notify('tournee:rescheduled', moved);
    });
  };

  const confirmCancel = () =>
    run(async () => {
      const cancelled = await api.cancel(manageKey!);
      setBooking(cancelled);
      setOutcome('cancelled');
      show('view', 'outcome');
      setStatus(t.cancelledNow);
      notify('tournee:cancelled', cancelled);
    });

  const b = booking;
  if (b && mode === 'rebook')
    return (
      <App
        host={host}
        apiOrigin={apiOrigin}
        lang={lang}
        phone={phone}
        company={company}
        service={b.service.id}
        prefill={{
          postcode: b.address.postcode,
          line: b.address.line,
          city: b.address.city,
          name: b.customer.name,
          phone: b.customer.phone,
          email: b.customer.email ?? '',
        }}
      />
    );

  // Fetched with the manage token in its header and handed over as a file: a plain link would carry
  // the token in a URL (browser history, proxies' logs), which could then change the booking.
  const downloadCalendar = async () => {
    if (!manageKey || !booking) return;
    try {
      const file = URL.createObjectURL(await api.calendarFile(manageKey));
      const link = document.createElement('a');
      link.href = file;
      link.download = `visite-${booking.reference}.ics`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(file), 60_000);
    } catch (error) {
      setAlert(refusalText(problemOf(error), t));
    }
  };
  const rebookButton = (
    <button type="button" class="btn" onClick={() => show('rebook')}>
      {t.rebook}
    </button>
  );

  let body;
  if (!b) {
    body = alert.text ? (
      <p>
        {t.badLinkHelp} <PhoneLink phone={phone} />.
      </p>
    ) : (
      <div class="loading" aria-busy="true" aria-label={t.loading}>
        <span />
      </div>
    );
  } else if (mode === 'reschedule') {
    const current = slots?.days.find((d) => d.date === day);
    body = (
      <form noValidate onSubmit={confirmReschedule}>
        <StepHeading text={t.reschedule} />
        {!slots ? (
          <div class="loading" aria-busy="true" aria-label={t.searching}>
            <span />
            <span />
            <span />
          </div>
        ) : !current ? (
          <div class="info">
            <p>{t.noWindow(formatDay(slots.to, lang))}</p>
            <CallUs phone={phone} t={t} />
          </div>
        ) : (
          <>
            <DayPicker
              days={slots.days}
              selected={day}
              onSelect={(date, pointer) => {
                setDay(date);
                setChosen(null);
                if (pointer) setTimeout(() => revealWindows(host), 0);
              }}
              lang={lang}
              t={t}
            />
            <WindowPicker
              day={current}
              selected={chosen}
              onSelect={setChosen}
              lang={lang}
              timeZone={timeZone}
              t={t}
            />
            {/* Moved inside the cut-off, the visit cannot be changed again online: said before confirming. */}
            {chosen?.withinChangeCutoff && (
              <p id="cutoff-note">
                {t.cutoffPassed(
                  Math.round(
                    (Date.parse(booking!.window.start) - Date.parse(booking!.changeableUntil)) / 3_600_000,
                  ),
                )}{' '}
                <PhoneLink phone={phone} />.
              </p>
            )}
          </>
        )}
        <div class="actions">
          {current && (
            <button type="submit" class="btn" aria-disabled={busy ? 'true' : undefined}>
              {t.confirmWindow}
            </button>
          )}
          <button type="button" class="btn ghost" onClick={() => show('view')}>
            {t.back}
          </button>
        </div>
      </form>
    );
  } else {
    const when = formatWindow(b.window.start, b.window.end, lang, timeZone);
    const cutoffHours = Math.round((Date.parse(b.window.start) - Date.parse(b.changeableUntil)) / 3_600_000);
    let next;
    if (b.status === 'cancelled') next = outcome ? null : <div class="actions">{rebookButton}</div>;
    else if (b.status !== 'booked') next = null;
    else if (!b.changeable)
      // The service would refuse: no buttons, the reason and the phone instead.
      next = (
        <div class="info" id="too-late">
          <p>
            {t.tooLate(cutoffHours)} <PhoneLink phone={phone} />.
          </p>
        </div>
      );
    else if (mode === 'cancel')
      next = (
        <div class="info">
          <p id="cancel-question">{t.cancelConfirm(when)}</p>
          <div class="actions">
            <button
              type="button"
              class="btn"
              id="cancel-yes"
              aria-describedby="cancel-question"
              aria-disabled={busy ? 'true' : undefined}
              onClick={confirmCancel}
            >
              {t.cancelYes}
            </button>
            <button type="button" class="btn ghost" onClick={() => show('view')}>
              {t.cancelNo}
            </button>
          </div>
        </div>
      );
    else
      next = (
        <>
          <p class="muted">{t.changeableUntil(formatInstant(b.changeableUntil, lang, timeZone))}</p>
          <div class="actions">
            <button type="button" class="btn" onClick={startReschedule}>
              {t.reschedule}
            </button>
            <button type="button" class="btn ghost" onClick={() => show('cancel', 'cancel-yes')}>
              {t.cancel}
            </button>
            {outcome !== 'moved' && (
              <button type="button" class="btn ghost" onClick={() => void downloadCalendar()}>
                {t.addToCalendar}
              </button>
            )}
          </div>
        </>
      );
    body = (
      <div>
        <StepHeading text={t.manageTitle} />
        {outcome && (
          <div class="info" id="outcome" tabIndex={-1}>
            <p>
              <strong>
                {outcome === 'moved'
                  ? t.rescheduledNow(formatWindow(b.window.start, b.window.end, lang, timeZone))
                  : t.cancelledNow}
              </strong>
            </p>
            <div class="actions">
              {outcome === 'moved' && (
                <button type="button" class="btn" onClick={() => void downloadCalendar()}>
                  {t.addNewToCalendar}
                </button>
              )}
              {outcome === 'cancelled' && rebookButton}
            </div>
          </div>
        )}
        <dl>
          <dt>{t.reference}</dt>
          <dd>{b.reference}</dd>
          <dt>{t.state}</dt>
          <dd>{t.states[b.status] ?? b.status}</dd>
          <dt>{t.serviceLegend}</dt>
          <dd>{b.service.name}</dd>
          <dt>{t.arrivalBetween}</dt>
          <dd>{when}</dd>
          <dt>{t.address}</dt>
          <dd>
            {b.address.line}, {b.address.postcode} {b.address.city}
          </dd>
        </dl>
        {next}
      </div>
    );
  }

  return (
    <Shell lang={lang} title={t.manage} alert={alert} status={status}>
      {body}
    </Shell>
  );
}
