/** The manage page's reschedule offers only windows that move nobody else (make-room windows are the booking's). */
import { describe, expect, it } from 'vitest';
import { withoutMoves, type Slots } from '../../src/widget/api.js';

const slots = (days: Slots['days']): Slots => ({
  serviceId: 's',
  postcode: '69003',
  city: 'Lyon',
  timezone: 'Europe/Paris',
  from: '2026-03-30',
  to: '2026-03-31',
  days,
});
const w = (start: string, needsMoves?: true) => ({
  start: `${start}:00+02:00`,
  end: `${start.slice(0, 11)}${String(Number(start.slice(11, 13)) + 2).padStart(2, '0')}:00:00+02:00`,
  ...(needsMoves ? { needsMoves } : {}),
});

describe('withoutMoves', () => {
  it('drops make-room windows, and the days left with none', () => {
    const answer = slots([
      { date: '2026-03-30', windows: [w('2026-03-30T08:00', true), w('2026-03-30T10:00', true)] },
      { date: '2026-03-31', windows: [w('2026-03-31T08:00'), w('2026-03-31T13:30', true)] },
    ]);
    expect(withoutMoves(answer).days).toEqual([{ date: '2026-03-31', windows: [w('2026-03-31T08:00')] }]);
    // The rest of the answer is kept as it was.
    expect({ ...withoutMoves(answer), days: [] }).toEqual({ ...answer, days: [] });
  });

  it('leaves an answer without make-room windows as it is', () => {
    const answer = slots([{ date: '2026-03-31', windows: [w('2026-03-31T08:00'), w('2026-03-31T10:00')] }]);
    expect(withoutMoves(answer)).toEqual(answer);
  });
});
