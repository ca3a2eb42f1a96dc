/**
 * The starting solution: the current plan as booked (so a re-plan can only
 * improve on it and never loses a promise), then every other visit by
 * regret insertion.
 */
import { regretInsert } from './insertion.js';
import type { Instance } from './instance.js';
import { bestPlacement } from './insertion.js';
import { Solution } from './solution.js';
import { routeCost } from './schedule.js';

export function currentPlanSolution(inst: Instance): Solution {
  const sol = new Solution(inst);
  const byVehicle = new Map<number, number[]>();
  for (let u = 0; u < inst.visitCount; u++) {
    const k = inst.bookedVehicle[u]!;
    if (k < 0 || !inst.canServe[u * inst.vehicles.length + k]) continue;
    const list = byVehicle.get(k) ?? [];
    list.push(u);
    byVehicle.set(k, list);
  }
  for (const [k, visits] of [...byVehicle].sort((a, b) => a[0] - b[0])) {
    visits.sort((a, b) => inst.plannedStart[a]! - inst.plannedStart[b]! || a - b);
    if (routeCost(inst, k, visits) < Infinity) {
      sol.setRoute(k, visits);
      continue;
    }
    // The booked route does not hold as a whole (it was changed by hand, or travel times changed):
    // keep pinned visits first, then as many booked ones as fit, each in its cheapest place in this route.
    const ordered = [...visits.filter((u) => inst.pinned[u]), ...visits.filter((u) => !inst.pinned[u])];
    for (const u of ordered) {
      let bestCost = Infinity;
      let bestPos = -1;
      for (let p = 0; p <= sol.routes[k]!.visits.length; p++) {
        const c = sol.insertionCost(u, k, p);
        if (c < bestCost) {
          bestCost = c;
          bestPos = p;
        }
      }
      if (bestPos >= 0) sol.insert(u, k, bestPos);
    }
  }
  sol.syncUnassigned();
  // Pinned visits that could not stay are tried nowhere else (their vehicle is fixed); others by regret.
  regretInsert(sol, sol.unassigned.slice(), 3);
  // Regret insertion may leave a visit out only when nothing fits; one greedy pass more costs little.
  for (const u of sol.unassigned.slice()) {
    const p = bestPlacement(sol, u);
    if (p.vehicle >= 0) sol.insert(u, p.vehicle, p.position);
  }
  return sol;
}
