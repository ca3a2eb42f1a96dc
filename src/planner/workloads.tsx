/**
 * Each technician's load for the day (visits, hours booked, km, waiting) and
 * how uneven the day is: the spread of booked hours between the busiest and
 * the least busy technician, before and after a proposal.
 */
import type { PlanView, Route, Technician, Workload } from './api.js';
import { duration, kilometres } from './format.js';

export const workloadOf = (route: Route): Workload => route.workload;

/** Max − min booked hours among the technicians working that day. */
export function spreadHours(routes: Route[]): number {
  if (routes.length === 0) return 0;
  const hours = routes.map((r) => workloadOf(r).bookedMinutes / 60);
  return Math.round((Math.max(...hours) - Math.min(...hours)) * 10) / 10;
}

/** The spread comes rounded to a tenth of an hour: say it so, not as a false "2 h 18". */
const hours = (h: number) => `${h.toLocaleString('fr-FR', { maximumFractionDigits: 1 })}\u00a0h`;

const COLUMNS = ['Visites', 'Heures réservées', 'Distance', 'Attente'] as const;
/** Each figure's label on a phone, where every technician's row is a card of four narrow figures (planner-style.ts). */
const SHORT = ['Visites', 'Heures', 'Distance', 'Attente'] as const;

interface Props {
  technicians: Technician[];
  current: Route[];
  plan: PlanView | null;
}

export function Workloads({ technicians, current, plan }: Props) {
  const now = new Map(current.map((r) => [r.technicianId, workloadOf(r)]));
  const then = plan ? new Map(plan.proposed.routes.map((r) => [r.technicianId, workloadOf(r)])) : null;
  const before = plan?.workloadSpread?.beforeHours ?? spreadHours(current);
  const after = plan ? (plan.workloadSpread?.afterHours ?? spreadHours(plan.proposed.routes)) : null;
  // Each figure whole: on a phone's narrow card the line breaks after the arrow, never inside "2 h 15".
  const arrow = (a: number, b: number | undefined, format: (n: number) => string) =>
    b === undefined || Math.round(a) === Math.round(b) ? (
      <span class="figure">{format(a)}</span>
    ) : (
      <>
        <span class="figure">{format(a)}</span> → <span class="figure">{format(b)}</span>
      </>
    );
  return (
    <section class="workloads" aria-labelledby="workloads-title">
      <h2 id="workloads-title">Charge par technicien</h2>
      <p class="spread" data-spread>
        Écart de charge (heures réservées, la plus chargée moins la moins chargée) :{' '}
        <strong>{hours(before)}</strong>
        {after !== null && (
          <>
            {' '}
            → <strong class={after < before ? 'gain' : after > before ? 'loss' : ''}>
              {hours(after)}
            </strong>{' '}
            avec la proposition
          </>
        )}
      </p>
      <div class="scroll" tabIndex={0} role="region" aria-label="Tableau des charges">
        <table class="loads">
          <thead>
            <tr>
              <th scope="col">Technicien</th>
              {COLUMNS.map((c) => (
                <th scope="col">{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {technicians.map((tech) => {
              const w = now.get(tech.id);
              if (!w) return null;
              const p = then?.get(tech.id);
              return (
                <tr data-technician={tech.id}>
                  <th scope="row">
                    <span class="swatch" style={{ background: tech.colour }} />
                    {tech.name}
                  </th>
                  <td data-short={SHORT[0]}>{arrow(w.visits, p?.visits, String)}</td>
                  <td data-short={SHORT[1]}>{arrow(w.bookedMinutes, p?.bookedMinutes, duration)}</td>
                  <td data-short={SHORT[2]}>{arrow(w.drivingKm, p?.drivingKm, kilometres)}</td>
                  <td data-short={SHORT[3]}>{arrow(w.idleMinutes, p?.idleMinutes, duration)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
