/** The page's plain parts: the day's totals (current vs proposed) and the proposal's changes. */
import type { PlanView, Totals } from './api.js';
import { clock, duration, kilometres } from './format.js';

export type { Notice } from '../staff/token-form.js';

const FIGURES: { key: keyof Omit<Totals, 'visits'>; label: string; format: (n: number) => string }[] = [
  { key: 'travelMinutes', label: 'Trajet', format: duration },
  { key: 'idleMinutes', label: 'Attente', format: duration },
  { key: 'overtimeMinutes', label: 'Heures sup.', format: duration },
  { key: 'distanceKm', label: 'Distance', format: kilometres },
];

export function Comparison({ current, proposed }: { current: Totals; proposed: Totals | undefined }) {
  return (
    <table class="totals">
      <caption>Totaux de la journée ({current.visits} visites)</caption>
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">Actuel</th>
          {proposed && <th scope="col">Proposé</th>}
          {proposed && <th scope="col">Gain</th>}
        </tr>
      </thead>
      <tbody>
        {FIGURES.map(({ key, label, format }) => {
          const gain = proposed ? Math.round((current[key] - proposed[key]) * 10) / 10 : 0;
          return (
            <tr data-figure={key}>
              <th scope="row">{label}</th>
              <td>{format(current[key])}</td>
              {proposed && <td>{format(proposed[key])}</td>}
              {proposed && (
                <td class={gain > 0 ? 'gain' : gain < 0 ? 'loss' : ''}>{gain === 0 ? '—' : format(gain)}</td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function Changes({ plan }: { plan: PlanView }) {
  const tz = plan.timezone;
  return (
    <section class="changes">
      <h2>Changements ({plan.changes.length})</h2>
      {plan.changes.length === 0 ? (
        <p>Aucun changement.</p>
      ) : (
        <ul>
          {plan.changes.map((c) => (
            <li data-visit={c.visitId}>
              <strong>{c.reference}</strong> · {c.service} · {c.city} :{' '}
              {c.fromUnassigned ? (
                <>
                  à placer (était chez {c.from.technicianName} à {clock(c.from.start, tz)}) →{' '}
                  <strong>{c.to.technicianName}</strong> {clock(c.to.start, tz)}
                </>
              ) : c.reassigned ? (
                <>
                  {c.from.technicianName} {clock(c.from.start, tz)} → <strong>{c.to.technicianName}</strong>{' '}
                  {clock(c.to.start, tz)}
                </>
              ) : (
                <>
                  {c.to.technicianName}, {clock(c.from.start, tz)} → {clock(c.to.start, tz)}
                </>
              )}
              {!c.fromUnassigned && c.shiftMinutes !== 0 && (
                <span class="shift">
                  {' '}
                  ({c.shiftMinutes > 0 ? '+' : ''}
                  {duration(c.shiftMinutes)})
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {plan.notKept.length > 0 && (
        <div class="notice error" role="alert">
          <strong>Promesses impossibles à tenir : appeler ces clients</strong>
          <ul>
            {plan.notKept.map((n) => (
              <li data-visit={n.visitId}>
                <strong>{n.reference}</strong> : {n.reasonText}
              </li>
            ))}
          </ul>
        </div>
      )}
      <p class="hint">
        {plan.purpose ?? (
          <>
            Optimisation en{' '}
            {(plan.optimiser.elapsedMs / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} s (
            {plan.optimiser.iterations.toLocaleString('fr-FR')} itérations).
          </>
        )}
      </p>
    </section>
  );
}

interface ApplyProps {
  plan: PlanView;
  confirming: boolean;
  busy: boolean;
  applying: boolean;
  onConfirm: (confirming: boolean) => void;
  onApply: () => void;
}

/** "Appliquer le plan", confirmed once; a stale proposal says to re-plan instead. */
export function ApplyBar({ plan, confirming, busy, applying, onConfirm, onApply }: ApplyProps) {
  const n = plan.changes.length;
  return (
    <section class="apply">
      {plan.status === 'stale' ? (
        <p class="notice error">Cette proposition est périmée : relancez une optimisation.</p>
      ) : confirming ? (
        <div class="confirm" role="alertdialog" aria-label="Confirmer l’application">
          <p>
            Appliquer ces {n} changement{n > 1 ? 's' : ''} ? Les agendas des techniciens seront mis à jour.
          </p>
          <button type="button" class="primary" onClick={onApply} disabled={busy}>
            Confirmer
          </button>
          <button type="button" onClick={() => onConfirm(false)}>
            Annuler
          </button>
        </div>
      ) : (
        <button type="button" class="primary" onClick={() => onConfirm(true)} disabled={busy}>
          {applying ? 'Application…' : 'Appliquer le plan'}
        </button>
      )}
    </section>
  );
}

interface PickerProps {
  date: string;
  label: string | null;
  busy: boolean;
  onDate: (date: string) => void;
  onShow: () => void;
  onSignOut: () => void;
}

/** The page's title bar and the choice of day. */
export function DayPicker({ date, label, busy, onDate, onShow, onSignOut }: PickerProps) {
  return (
    <>
      <header class="bar">
        <h1>Planification des tournées</h1>
        <button type="button" class="link" onClick={onSignOut}>
          Changer de jeton
        </button>
      </header>
      <form
        class="day-picker"
        onSubmit={(e) => {
          e.preventDefault();
          onShow();
        }}
      >
        <label for="day">Tournées du</label>
        <input
          id="day"
          name="day"
          type="date"
          required
          value={date}
          onInput={(e) => onDate((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          Afficher
        </button>
        {label && <span class="day-label">{label}</span>}
      </form>
    </>
  );
}
