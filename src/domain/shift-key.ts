/**
 * One technician's working day, named once: it is both the solver shift's id
 * (availability builds shifts under it, planning looks them up by it) and
 * the advisory-lock key that serialises every write to that day's route
 * (bookings, reschedules, plans, manual moves). The two must agree, so every
 * caller builds it here.
 */
export function shiftKey(technicianId: string, date: string): string {
  return `${technicianId}:${date}`;
}
