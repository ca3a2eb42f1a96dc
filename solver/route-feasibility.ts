/**
 * Which booked routes have no feasible timetable any more, in the order
 * their planned starts give: used when a stop was added to a route without
 * looking at some others (a desk booking ignores holds), to find what the
 * addition broke.
 */
import type { Problem } from './problem.js';
import { prepareSlotIndex } from './slots.js';

/** The visit ids of every technician-shift route that cannot be timed any more (empty routes never count). */
export function routesWithoutTimetable(problem: Problem): string[][] {
  const index = prepareSlotIndex(problem);
  const broken: string[][] = [];
  for (const entry of index.technicians) {
    for (const route of entry.routes) {
      const n = route.visits.length;
      if (n === 0) continue;
      const K = route.breaks.length + 1;
      // The forward pass reaches the return home with every break taken only if a timetable exists.
      if (!(route.earliest[(n + 1) * K + K - 1]! < Infinity)) broken.push(route.visits.map((v) => v.id));
    }
  }
  return broken;
}
