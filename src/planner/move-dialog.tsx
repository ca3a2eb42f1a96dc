/**
 * Moving a visit without a mouse: a dialog with the places where the visit
 * fits (the server's suggestions, ranked by the driving they add; one click
 * fills the technician and the time), the technician and the arrival time
 * to set by hand, the server's verdict shown as they change, "Déplacer" to
 * confirm. Also how an unassigned visit is placed from a phone.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, explain, type MoveOption, type Technician } from './api.js';
import { clock, instantAt, shortDate } from './format.js';
import type { Movable, Verdict } from './use-moves.js';
import type { DropTarget } from './drag.js';

export interface MoveRequest extends Movable {
  technicianId: string;
  /** Where the visit is now, or where the window starts for an unassigned one. */
  start: string;
  window: { start: string; end: string };
}

interface Props {
  request: MoveRequest;
  technicians: Technician[];
  date: string;
  timezone: string;
  verdict: (visitId: string, target: DropTarget) => Promise<Verdict>;
  move: (visit: Movable, target: DropTarget) => Promise<boolean>;
  /** No place as the day stands: ask for room (a proposal moving a few other visits); null when one came, else why not. */
  makeRoom: (visitId: string) => Promise<string | null>;
  onClose: () => void;
}

export function MoveDialog({
  request,
  technicians,
  date,
  timezone,
  verdict,
  move,
  makeRoom,
  onClose,
}: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [technicianId, setTechnicianId] = useState(request.technicianId);
  const [time, setTime] = useState(clock(request.start, timezone));
  const [judged, setJudged] = useState<Verdict | null>(null);
  const [sending, setSending] = useState(false);
  const [options, setOptions] = useState<MoveOption[] | null>(null);
  const [optionsError, setOptionsError] = useState<string | null>(null);
  /** Why no room could be made: said here, beside the button, the page behind the dialog being out of sight. */
  const [noRoom, setNoRoom] = useState<string | null>(null);
  /** The times one technician could take it, asked when the planner picks that technician himself. */
  const [times, setTimes] = useState<{ technicianId: string; options: MoveOption[] | null } | null>(null);
  const submit = useRef<HTMLButtonElement>(null);
  /** Set once the planner changes the technician or the time himself: his choice is never overwritten. */
  const touched = useRef(false);

  useEffect(() => {
    dialog.current?.showModal();
    let current = true;
    void api.moveOptions(request.visitId).then(
      (answer) => {
        if (!current) return;
        setOptions(answer.options);
        // A visit from « À placer » opens on a guessed technician (its own is absent), usually a
        // refusal: the best place found replaces the guess. A routed visit stays where it is.
        const best = answer.options[0];
        if (request.from === undefined && best && !touched.current) fill(best);
      },
      (error: unknown) => current && setOptionsError(explain(error)),
    );
    return () => {
      current = false;
    };
  }, []);

  function fill(option: MoveOption) {
    setTechnicianId(option.technicianId);
    setTime(clock(option.start, timezone));
  }

  function pick(option: MoveOption) {
    touched.current = true;
    fill(option);
    // Filled: the next key (Entrée) confirms. After the render, which enables the button again
    // when a time typed by hand had been refused.
    setTimeout(() => submit.current?.focus(), 0);
  }

  // A refusal names its field by marking it: the technician for what no time can fix (skill, zone,
  // absence), the arrival time for the rest (promised window, hours, another visit in the way).
  const refusedCodes = judged?.state === 'refused' ? judged.codes : [];
  const technicianAtFault = refusedCodes.some((c) => TECHNICIAN_CODES.has(c));
  const timeAtFault = refusedCodes.some((c) => !TECHNICIAN_CODES.has(c) && c !== 'started');
  const marked = (atFault: boolean) =>
    atFault ? { 'aria-invalid': true, 'aria-describedby': 'move-verdict' } : {};

  // A visit from « À placer » has nowhere it comes from: it is placed, not moved.
  const verb = request.from ? 'Déplacer' : 'Placer';
  const iso = instantAt(date, time, timezone);
  const target: DropTarget | null = iso ? { technicianId, startMs: Date.parse(iso) } : null;
  const unchanged =
    request.from !== undefined &&
    technicianId === request.from.technicianId &&
    target?.startMs === Date.parse(request.from.start);

  useEffect(() => {
    if (!target || unchanged) return setJudged(null);
    setJudged({ state: 'checking' });
    let current = true;
    const t = setTimeout(() => {
      void verdict(request.visitId, target).then((v) => current && setJudged(v));
    }, 150);
    return () => ((current = false), clearTimeout(t));
  }, [technicianId, time]);

  return (
    <dialog
      ref={dialog}
      class="move-dialog"
      aria-labelledby="move-title"
      onClose={onClose}
      onCancel={onClose}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!target || unchanged) return;
          setSending(true);
          void move(request, target).then(() => dialog.current?.close());
        }}
      >
        <h2 id="move-title">
          {verb} {request.reference}
        </h2>
        <p class="hint">
          Créneau promis au client : {clock(request.window.start, timezone)}–
          {clock(request.window.end, timezone)}
        </p>
        <section class="suggestions" aria-labelledby="move-suggestions-title">
          <h3 id="move-suggestions-title">Places possibles</h3>
          {options === null && !optionsError && (
            <p class="hint" role="status">
              Recherche des places possibles…
            </p>
          )}
          {optionsError && <p class="hint">Pas de propositions : {optionsError}</p>}
          {options?.length === 0 && (
            <>
              <p class="hint">Aucune place libre dans le créneau promis sans déplacer d’autres visites.</p>
              <button
                type="button"
                class="make-room"
                disabled={sending}
                onClick={() => {
                  setSending(true);
                  setNoRoom(null);
                  void makeRoom(request.visitId).then((refused) => {
                    if (refused === null) return dialog.current?.close();
                    setNoRoom(refused);
                    setSending(false);
                  });
                }}
              >
                Faire de la place…
              </button>
              {noRoom && (
                <p class="notice error" role="alert">
                  {noRoom}
                </p>
              )}
              <p class="hint">
                Jusqu’à trois autres visites déplacées, chacune dans son créneau : proposé, appliqué après
                vérification. Ou choisissez à la main ci-dessous.
              </p>
            </>
          )}
          {options && options.length > 0 && (
            <>
              <p class="hint">
                Du moins au plus de trajet ajouté à la journée ; un clic remplit le déplacement.
              </p>
              <ul class="suggestion-list">
                {options.map((o) => {
                  const colour = technicians.find((t) => t.id === o.technicianId)?.colour;
                  return (
                    <li>
                      <button
                        type="button"
                        class="suggestion"
                        data-technician={o.technicianId}
                        data-start={o.start}
                        aria-pressed={o.technicianId === technicianId && clock(o.start, timezone) === time}
                        onClick={() => pick(o)}
                      >
                        <span class="sg-name">
                          {colour && <span class="swatch" style={{ background: colour }} />}
                          {o.technicianName}
                        </span>
                        <span class="sg-time">{clock(o.start, timezone)}</span>
                        <span class="sg-day">{shortDate(o.date)}</span>
                        <span class="sg-drive">{drivingText(o.drivingAddedMinutes)}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            </>
          )}
        </section>
        <label for="move-technician">Technicien</label>
        <select
          id="move-technician"
          value={technicianId}
          {...marked(technicianAtFault)}
          onChange={(e) => {
            touched.current = true;
            const chosen = (e.target as HTMLSelectElement).value;
            setTechnicianId(chosen);
            setTimes({ technicianId: chosen, options: null });
            void api.moveOptions(request.visitId, chosen).then(
              (answer) =>
                setTimes((t) => (t?.technicianId === chosen ? { ...t, options: answer.options } : t)),
              () => setTimes((t) => (t?.technicianId === chosen ? null : t)),
            );
          }}
        >
          {technicians.map((t) => (
            <option value={t.id}>{t.name}</option>
          ))}
        </select>
        {times && times.technicianId === technicianId && (
          <div class="tech-times" aria-live="polite">
            {times.options === null ? (
              <p class="hint">Recherche de ses heures possibles…</p>
            ) : times.options.length === 0 ? (
              <p class="hint">
                Aucune heure possible chez {technicians.find((t) => t.id === technicianId)?.name} dans le
                créneau promis.
              </p>
            ) : (
              <>
                <p class="hint" id="tech-times-title">
                  Heures possibles chez {technicians.find((t) => t.id === technicianId)?.name} (trajet ajouté
                  à la journée) :
                </p>
                <ul class="time-list" aria-labelledby="tech-times-title">
                  {times.options.map((o) => (
                    <li>
                      <button
                        type="button"
                        class="time-choice"
                        data-start={o.start}
                        aria-pressed={clock(o.start, timezone) === time}
                        onClick={() => pick(o)}
                      >
                        {clock(o.start, timezone)}{' '}
                        <span class="sg-drive">{signedMinutes(o.drivingAddedMinutes)}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
        <label for="move-time">Heure d’arrivée</label>
        <input
          id="move-time"
          type="time"
          step={300}
          required
          value={time}
          {...marked(timeAtFault)}
          onInput={(e) => {
            touched.current = true;
            setTime((e.target as HTMLInputElement).value);
          }}
        />
        <p id="move-verdict" class={`verdict ${judged?.state ?? ''}`} role="status" aria-live="polite">
          {unchanged
            ? 'C’est la place actuelle de la visite.'
            : judged?.state === 'ok'
              ? 'Possible : toutes les règles sont respectées.'
              : judged?.state === 'refused'
                ? `Impossible : ${judged.reasons.join(' ; ')}`
                : judged?.state === 'checking'
                  ? 'Vérification…'
                  : judged?.state === 'unchecked'
                    ? 'Vérifié à l’enregistrement.'
                    : ''}
        </p>
        <div class="dialog-actions">
          <button
            ref={submit}
            type="submit"
            class="primary"
            disabled={sending || !target || unchanged || judged?.state === 'refused'}
          >
            {verb}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Annuler
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Move-check reasons that are the technician's: no arrival time would lift them. */
const TECHNICIAN_CODES = new Set(['skill', 'zone', 'absent', 'unknown-technician']);

/** The change in the day's driving, signed: a move can save driving too. */
function drivingText(minutes: number): string {
  if (minutes === 0) return 'trajet inchangé';
  return `${minutes > 0 ? '+' : '−'}${Math.abs(minutes)} min de trajet`;
}

/** The same, short, beside a time. */
function signedMinutes(minutes: number): string {
  return `${minutes > 0 ? '+' : minutes < 0 ? '−' : '±'}${Math.abs(minutes)} min`;
}
