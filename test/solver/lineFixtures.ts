/** Hand-built routes on a line (travel = |x_a − x_b|, one depot at x = 0), where each move's cost can be checked by hand. */
import type { Place, Technician, TravelModel } from '../../solver/problem.js';

export const line: TravelModel = {
  time: (a, b) => Math.abs(a.lon - b.lon),
  distance: (a, b) => Math.abs(a.lon - b.lon),
};

export const depot: Place = { key: 0, lat: 0, lon: 0 };

/** A technician with no skills, from and back to the depot, on one wide-open shift. */
export const tech = (id: string): Technician => ({
  id,
  skills: [],
  start: depot,
  end: depot,
  shifts: [{ id: 'day', interval: { start: 0, end: 10_000 } }],
});
