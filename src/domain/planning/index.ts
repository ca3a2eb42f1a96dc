/**
 * The planner's day: each technician's route as it is, a better plan from the
 * optimiser, applying it, and moving or pinning a visit by hand.
 *
 *   day-problem   the day as a solver problem; placements and new violations
 *   route-views   routes, totals and changes as the planner reads them (figures from solver routeTimeline)
 *   propose       the optimiser's proposal, checked and stored
 *   apply         writing a proposal, or marking it stale
 *   manual-move   one visit to another technician or time, or pinned
 *   wording       the planner's sentences and refusals (French first)
 *   now           today is real: started and past visits frozen, the rest planned from where technicians are
 *   progress      a visit's progress (en route, on site, done, no-show)
 *   lane          the unassigned lane as the planner reads it
 */
export { buildDayProblem, type DayProblem } from './day-problem.js';
export {
  dayRoutes,
  type ChangeView,
  type DayRoutesView,
  type DayView,
  type RouteView,
  type StopView,
  type TechnicianView,
  type Totals,
} from './route-views.js';
export {
  DEFAULT_SEED,
  DEFAULT_TIME_LIMIT_MS,
  getPlan,
  MAX_TIME_LIMIT_MS,
  MIN_TIME_LIMIT_MS,
  proposePlan,
  type PlanView,
  type ProposeInput,
} from './propose.js';
export { applyPlan } from './apply.js';
export { moveVisit, type MoveVisitInput, type PlacedVisitView } from './manual-move.js';
export { setVisitProgress, type ProgressInput } from './progress.js';
