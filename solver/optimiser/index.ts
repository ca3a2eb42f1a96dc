/** The route optimiser: planRoutes in this thread, planRoutesInWorker off the event loop. */
export {
  planRoutes,
  type PlanRoutesOptions,
  type PlanRoutesResult,
  type PlanCostBreakdown,
  type PlanRoutesStats,
} from './planRoutes.js';
export { DEFAULT_STABILITY, type StabilityWeights } from './instance.js';
export { planRoutesInWorker, type WorkerOptions } from './inWorker.js';
export {
  travelFromDescription,
  tabulateTravel,
  serialiseProblem,
  deserialiseProblem,
  type SerializableTravel,
  type ProblemData,
} from './travelDescription.js';
