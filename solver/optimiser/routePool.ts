/**
 * The pool of good routes met during the search, for the set-partitioning
 * step. A route is stored once per vehicle class (interchangeable vehicles
 * share columns) with its exact cost and the cost of the best solution it
 * was seen in, which ranks columns when the pool must be cut down.
 */
import type { Solution } from './solution.js';

export interface PooledRoute {
  vehicleClass: number;
  /** A vehicle of that class the route was built for (cost and feasibility hold for every vehicle of the class). */
  vehicle: number;
  visits: number[];
  cost: number;
  /** Cost of the best whole solution this route was part of. */
  bestSolutionCost: number;
  /**
   * Set once the set partitioning has improved the order of the visits (routeOrder.ts); visits and cost
   * are then the improved ones (the pool's key stays the order the search met).
   */
  ordered?: boolean;
}

export class RoutePool {
  private readonly routes = new Map<string, PooledRoute>();

  constructor(private readonly capacity = 50_000) {}

  get size(): number {
    return this.routes.size;
  }

  add(sol: Solution): void {
    const solutionCost = sol.cost();
    for (const r of sol.routes) {
      if (r.visits.length === 0) continue;
      const vehicleClass = sol.inst.vehicleClass[r.vehicle]!;
      // The key is cached on the route until it changes: unchanged routes cost one map look-up.
      const key = (r.poolKey ??= `${vehicleClass}:${r.visits.join(',')}`);
      const known = this.routes.get(key);
      if (known) {
        if (solutionCost < known.bestSolutionCost) known.bestSolutionCost = solutionCost;
        continue;
      }
      if (this.routes.size >= this.capacity) this.prune();
      this.routes.set(key, {
        vehicleClass,
        vehicle: r.vehicle,
        visits: r.visits.slice(),
        cost: r.cost,
        bestSolutionCost: solutionCost,
      });
    }
  }

  /** Adds a route found elsewhere (another trajectory's pool), keeping the better solution cost on a repeat. */
  addColumn(route: PooledRoute): void {
    const key = `${route.vehicleClass}:${route.visits.join(',')}`;
    const known = this.routes.get(key);
    if (known) {
      if (route.bestSolutionCost < known.bestSolutionCost) known.bestSolutionCost = route.bestSolutionCost;
      return;
    }
    if (this.routes.size >= this.capacity) this.prune();
    this.routes.set(key, { ...route, visits: route.visits.slice() });
  }

  /**
   * A full pool keeps the half from the best solutions (ties: the earlier) and goes on taking routes.
   * It used to stop taking them, so in a search long enough to fill it the routes of the later, better
   * solutions never reached the final set partitioning. (Not reached on the benchmarks today: a 20 s
   * search at 400 customers ends with 10,000–12,500 routes; pools merged from helpers grow faster.)
   */
  private prune(): void {
    const all = [...this.routes];
    const keep = all
      .map(([, r], i) => ({ r, i }))
      .sort((a, b) => a.r.bestSolutionCost - b.r.bestSolutionCost || a.i - b.i)
      .slice(0, Math.floor(this.capacity / 2))
      .map((x) => x.i)
      .sort((a, b) => a - b);
    this.routes.clear();
    for (const i of keep) this.routes.set(all[i]![0], all[i]![1]);
  }

  /** Up to `limit` routes, those from the best solutions first; ties broken by insertion order. */
  best(limit: number): PooledRoute[] {
    const all = [...this.routes.values()];
    const order = all.map((r, i) => ({ r, i }));
    order.sort((a, b) => a.r.bestSolutionCost - b.r.bestSolutionCost || a.i - b.i);
    return order.slice(0, limit).map((x) => x.r);
  }
}
