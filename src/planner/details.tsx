/**
 * The selected visit: what, where, when, and what the planner can do with
 * it — move it (dialog), pin it, and record how the day goes (en route, on
 * site, done, customer absent).
 */
import type { Progress, Stop, Technician } from './api.js';
import { clock, PROGRESS_LABELS } from './format.js';

interface Props {
  stop: Stop;
  technician: Technician;
  timezone: string;
  /** False on a proposal: only the real day can be changed. */
  editable: boolean;
  busy: boolean;
  onMove: () => void;
  onPin: () => void;
  onProgress: (progress: Progress) => void;
}

const STEPS = Object.keys(PROGRESS_LABELS) as Progress[];

export function Details({ stop, technician, timezone, editable, busy, onMove, onPin, onProgress }: Props) {
  const progress = stop.progress ?? 'planned';
  return (
    <aside class="details" aria-label="Visite sélectionnée">
      <p>
        <strong>{stop.reference}</strong> · {stop.service} · {stop.customer}, {stop.address.line},{' '}
        {stop.address.city} · {technician.name}, arrivée prévue {clock(stop.planned.start, timezone)} (créneau{' '}
        {clock(stop.window.start, timezone)}–{clock(stop.window.end, timezone)})
      </p>
      {editable && (
        <div class="details-actions">
          <button type="button" onClick={onMove} disabled={busy}>
            Déplacer…
          </button>
          <button type="button" onClick={onPin} disabled={busy}>
            {stop.pinned ? 'Désépingler' : 'Épingler'}
          </button>
          <div class="progress" role="group" aria-label="Avancement de la visite">
            {STEPS.map((step) => (
              <button
                type="button"
                aria-pressed={progress === step}
                class={`progress-${step}`}
                disabled={busy}
                onClick={() => progress !== step && onProgress(step)}
              >
                {PROGRESS_LABELS[step]}
              </button>
            ))}
          </div>
        </div>
      )}
    </aside>
  );
}
