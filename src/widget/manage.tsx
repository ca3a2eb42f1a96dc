/**
 * The manage view behind the link in the confirmation (`/manage#<id>.<token>`):
 * see the booking, move it to another offered window, or cancel it. The token
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
} from './api.js';
import { horizonDays } from './steps/slots.js';
import { formatDay, formatWindow, messages, type Lang } from './i18n.js';
import { DayPicker, WindowPicker } from './pickers.js';
import { Shell, StepHeading, useAnnouncements } from './shell.js';

export interface ManageProps {
  host: HTMLElement;
  apiOrigin: string;
  lang: Lang;
  phone: string;
  manageKey: ManageKey | null;
}

/** "<id>.<token>" from the manage link's fragment (or the element's `manage` attribute). */
export function parseManageKey(value: string): ManageKey | null {
  const raw = value.replace(/^#/, '');
  const dot = raw.indexOf('.');
  return dot > 0 && dot < raw.length - 1 ? { id: raw.slice(0, dot), token: raw.slice(dot + 1) } : null;
}

type Mode = 'view' | 'cancel' | 'reschedule';

const problemOf = (error: unknown): Problem => (error instanceof ApiError ? error.problem : { status: 0 });

export function ManageApp({ host, apiOrigin, lang, phone, manageKey }: ManageProps) {
  const t = messages(lang);
  const api = useMemo(() => createApi(apiOrigin, lang), [apiOrigin, lang]);
  const { alert, setAlert, status, setStatus, focusOn } = useAnnouncements(host);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [mode, setMode] = useState<Mode>('view');
  const [slots, setSlots] = useState<Slots | null>(null);
  const [day, setDay] = useState('');
  const [chosen, setChosen] = useState<TimeWindow | null>(null);
  const [busy, setBusy] = useState(false);
  const timeZone = slots?.timezone ?? 'Europe/Paris';

  const fail = (error: unknown) => {
    const p = problemOf(error);
    setAlert(
      p.status === 404 || p.status === 403 || p.status === 401
        ? t.badLink
        : p.status === 0 || p.status >= 500
          ? t.networkError
          : p.detail || p.title || t.networkError,
    );
  };

  useEffect(() => {
    setBooking(null);
    setMode('view');
    if (!manageKey) return setAlert(t.badLink);
    setAlert('');
    api.booking(manageKey).then(setBooking, fail);
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
      } else fail(error);
    } finally {
      setBusy(false);
    }
  };

  const startReschedule = () =>
    run(async () => {
      show('reschedule');
      setSlots(null);
      setChosen(null);
      setStatus(t.searching);
      const found = await api.slots(booking!.service.id, booking!.address.postcode);
      setSlots(found);
      setDay(found.days[0]?.date ?? '');
      setStatus(
        found.days[0]
          ? t.windowCount(formatDay(found.days[0].date, lang), found.days[0].windows.length)
          : t.noWindow(horizonDays(found)),
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
      show('view');
      setStatus(t.rescheduledNow(formatWindow(moved.window.start, moved.window.end, lang, timeZone)));
      notify('tournee:rescheduled', moved);
    });
  };

  const confirmCancel = () =>
    run(async () => {
      const cancelled = await api.cancel(manageKey!);
      setBooking(cancelled);
      show('view');
      setStatus(t.cancelledNow);
      notify('tournee:cancelled', cancelled);
    });

  const b = booking;
  let body;
  if (!b) {
    body = alert.text ? (
      <p>
        {t.callUs} <a href={`tel:${phone.replace(/[^\d+]/g, '')}`}>{phone}</a>.
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
            <p>{t.noWindow(horizonDays(slots))}</p>
          </div>
        ) : (
          <>
            <DayPicker
              days={slots.days}
              selected={day}
              onSelect={(date) => {
                setDay(date);
                setChosen(null);
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
    body = (
      <div>
        <StepHeading text={t.manageTitle} />
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
        {b.status === 'booked' &&
          (mode === 'cancel' ? (
            <div class="info">
              <p id="cancel-question">{t.cancelConfirm(when)}</p>
              <div class="actions">
                <button
                  type="button"
                  class="btn"
                  id="cancel-yes"
                  aria-describedby="cancel-question"
                  onClick={confirmCancel}
                >
                  {t.cancelYes}
                </button>
                <button type="button" class="btn ghost" onClick={() => show('view')}>
                  {t.cancelNo}
                </button>
              </div>
            </div>
          ) : (
            <div class="actions">
              <button type="button" class="btn" onClick={startReschedule}>
                {t.reschedule}
              </button>
              <button type="button" class="btn ghost" onClick={() => show('cancel', 'cancel-yes')}>
                {t.cancel}
              </button>
            </div>
          ))}
      </div>
    );
  }

  return (
    <Shell lang={lang} title={t.manage} alert={alert} status={status}>
      {body}
    </Shell>
  );
}
