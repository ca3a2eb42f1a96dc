/**
 * Arrival windows from the slot engine (GET /v1/slots, notice lifted for
 * staff), as a grid of buttons the arrow keys walk through; Enter picks one.
 * When there is none, says why and offers to record a request instead.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type RequestKind, type SlotsView, type TimeWindow } from './api.js';
import { clock, day } from './format.js';
import { ErrorNotice } from './controls.js';

const DAYS_SHOWN = 5;

interface Props {
  serviceId: string;
  postcode: string;
  chosen: TimeWindow | null;
  onPick: (window: TimeWindow) => void;
  /** No window: the kind of request that fits, for "Nouvelle demande". */
  onNoWindow: (kind: RequestKind) => void;
  autoFocus: boolean;
  /** The town of the postal code, as the service names it (fills an empty "Ville"). */
  onTown?: (city: string) => void;
  /** Moving a visit: its window, shown where it is among the others and not offered. */
  current?: TimeWindow;
}

const sameWindow = (a: TimeWindow, b: TimeWindow) =>
  Date.parse(a.start) === Date.parse(b.start) && Date.parse(a.end) === Date.parse(b.end);

/** The days with `current` among its day's windows (added where the engine did not offer it). */
function withCurrent(days: SlotsView['days'], current: TimeWindow | undefined): SlotsView['days'] {
  if (!current || days.length === 0) return days;
  const date = current.start.slice(0, 10);
  // Before the first day shown or after the last: it would stand alone far from the choice.
  if (date < days[0]!.date || date > days.at(-1)!.date) return days;
  const at = days.find((d) => d.date === date);
  if (at?.windows.some((w) => sameWindow(w, current))) return days;
  const day = {
    date,
    windows: [...(at?.windows ?? []), current].sort((a, b) => Date.parse(a.start) - Date.parse(b.start)),
  };
  return [...days.filter((d) => d.date !== date), day].sort((a, b) => (a.date < b.date ? -1 : 1));
}

const REASONS: Record<string, string> = {
  'zone-not-served': 'Cette adresse est hors de la zone desservie.',
  'service-not-offered-here': 'Cette prestation n’est pas proposée à cette adresse.',
  'fully-booked': 'Tout est complet sur la période.',
  'beyond-horizon': 'Les réservations ne sont pas encore ouvertes pour ces dates.',
  'too-soon': 'Trop tôt : aucun créneau dans le délai.',
};

export function SlotPicker({
  serviceId,
  postcode,
  chosen,
  onPick,
  onNoWindow,
  autoFocus,
  onTown,
  current,
}: Props) {
  const [slots, setSlots] = useState<SlotsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [allDays, setAllDays] = useState(false);
  // The default fortnight first (fast); when it is full, Claire jumps to the first free date.
  const [from, setFrom] = useState<string | undefined>(undefined);
  const grid = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setSlots(null);
    setError(null);
    if (!/^\d{5}$/.test(postcode)) return;
    let live = true;
    api.slots(serviceId, postcode, from).then(
      (answer) => {
        if (!live) return;
        setSlots(answer);
        if (answer.city) onTown?.(answer.city);
      },
      (e: unknown) => live && setError(e instanceof ApiError ? e.message : 'Le service ne répond pas.'),
    );
    return () => {
      live = false;
    };
  }, [serviceId, postcode, from]);

  useEffect(() => {
    if (slots && autoFocus)
      grid.current?.querySelector<HTMLButtonElement>('button.window:not(:disabled), button.instead')?.focus();
  }, [slots]);

  if (!/^\d{5}$/.test(postcode)) return <p class="hint">Saisissez le code postal pour voir les créneaux.</p>;
  if (error) return <ErrorNotice>{error}</ErrorNotice>;
  if (!slots) return <p class="hint">Recherche des créneaux…</p>;

  const offered = slots.days.filter((d) => d.windows.length > 0);
  const days = withCurrent(offered, current);
  if (offered.length === 0) {
    const code = slots.reason?.code ?? 'fully-booked';
    return (
      <div class="notice info" role="status" ref={grid}>
        <p>
          {REASONS[code] ?? 'Aucun créneau.'}
          {slots.reason?.nextAvailable &&
            ` Premier créneau libre : ${day(slots.reason.nextAvailable, true)}.`}
        </p>
        {slots.reason?.nextAvailable && slots.reason.nextAvailable !== from && (
          <button type="button" class="instead" onClick={() => setFrom(slots.reason?.nextAvailable)}>
            Voir les créneaux à partir du {day(slots.reason.nextAvailable, true)}
          </button>
        )}{' '}
        <button
          type="button"
          class="instead"
          onClick={() => onNoWindow(code === 'zone-not-served' ? 'out_of_area' : 'no_window')}
        >
          Enregistrer une demande à la place
        </button>
      </div>
    );
  }

  function onKeyDown(e: KeyboardEvent): void {
    const buttons = [
      ...(grid.current?.querySelectorAll<HTMLButtonElement>('button.window:not(:disabled)') ?? []),
    ];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (step === undefined) {
      if (e.key === 'Home') buttons[0]?.focus();
      else if (e.key === 'End') buttons.at(-1)?.focus();
      else return;
    } else buttons[Math.max(0, Math.min(buttons.length - 1, at + step))]?.focus();
    e.preventDefault();
  }

  const visible = allDays ? days : days.slice(0, DAYS_SHOWN);
  return (
    <div class="slots" ref={grid} onKeyDown={onKeyDown}>
      <p class="hint">
        Créneaux à {slots.city} ({slots.postcode}) : ← → pour parcourir, Entrée pour choisir.
      </p>
      {visible.map((d) => (
        <div class="slot-day" role="group" aria-label={day(d.date, true)}>
          <span class="slot-date">{day(d.date)}</span>
          <span class="slot-windows">
            {d.windows.map((w) => {
              const isChosen = chosen?.start === w.start && chosen.end === w.end;
              if (current && sameWindow(w, current))
                return (
                  <button
                    type="button"
                    class="window current"
                    disabled
                    aria-label={`${clock(w.start)}–${clock(w.end)}, ${day(d.date, true)} : créneau actuel de la visite`}
                  >
                    {clock(w.start)}–{clock(w.end)} (actuel)
                  </button>
                );
              return (
                <button
                  type="button"
                  class={`window${isChosen ? ' chosen' : ''}`}
                  aria-pressed={isChosen}
                  aria-label={`${clock(w.start)}–${clock(w.end)}, ${day(d.date, true)}`}
                  onClick={() => onPick(w)}
                >
                  {clock(w.start)}–{clock(w.end)}
                </button>
              );
            })}
          </span>
        </div>
      ))}
      {!allDays && days.length > DAYS_SHOWN && (
        <button type="button" class="link" onClick={() => setAllDays(true)}>
          Voir les {days.length - DAYS_SHOWN} jours suivants
        </button>
      )}
    </div>
  );
}
