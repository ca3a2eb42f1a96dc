/**
 * Holding the chosen window while the customer types (POST /v1/holds): placed when they go on to
 * their details, renewed once when it is about to lapse, replaced when they choose another window.
 * A hold is a courtesy: when it cannot be placed (too many, offline) the booking still goes ahead
 * and the service checks the window then.
 */
import type { Api, HeldWindow, SlotDay, TimeWindow } from './api.js';
import type { FlowAction, Hold } from './flow.js';
import { asProblem } from './form.js';

/** The service's hold lifetime, used only when this device's clock disagrees with the service's. */
const HOLD_MS = 5 * 60_000;

/** When the hold lapses on this device's clock, whatever its offset from the service's. */
function deadlineOf(held: HeldWindow, now: number): number {
  const left = Date.parse(held.expiresAt) - now;
  return left > 0 && left <= 2 * HOLD_MS ? now + left : now + HOLD_MS;
}

const sameWindow = (a: TimeWindow, b: TimeWindow) => a.start === b.start && a.end === b.end;

export type HoldOutcome = { taken: SlotDay[] } | { taken?: undefined };

export function holdActions(api: Api, dispatch: (action: FlowAction) => void) {
  return {
    /** Holds `window` (releasing another held one); `taken` with alternatives when it is gone. */
    async place(
      current: Hold | null,
      serviceId: string,
      window: TimeWindow,
      postcode: string,
    ): Promise<HoldOutcome> {
      // Still held: nothing to do. Lapsed: held again (the window may still be free).
      if (current && sameWindow(current.window, window) && current.deadline > Date.now()) return {};
      if (current) {
        dispatch({ type: 'holdGone' });
        void api.releaseHold(current.id).catch(() => undefined);
      }
      // A window that needs other visits moved is not held (a hold moves nobody): the booking makes the room.
      if (window.needsMoves) return {};
      try {
        const held = await api.hold(serviceId, window, postcode);
        dispatch({ type: 'held', hold: held, window, deadline: deadlineOf(held, Date.now()) });
        return {};
      } catch (error) {
        const problem = asProblem(error);
        if (problem.status === 409 && problem.alternatives) return { taken: problem.alternatives.days };
        return {};
      }
    },

    /** Five more minutes, once; afterwards (or if refused) the hold simply lapses. */
    async renew(hold: Hold): Promise<void> {
      const asked = { id: hold.id, expiresAt: hold.expiresAt, renewable: false };
      // Asked once, whatever the answer.
      dispatch({ type: 'held', hold: asked, window: hold.window, deadline: hold.deadline });
      try {
        const renewed = await api.renewHold(hold.id);
        // The extension measured on the service's clock, added to this device's deadline.
        const longer = Date.parse(renewed.expiresAt) - Date.parse(hold.expiresAt);
        dispatch({
          type: 'held',
          hold: { ...renewed, renewable: false },
          window: hold.window,
          deadline: hold.deadline + Math.max(0, longer),
        });
      } catch {
        // Expired or refused: the booking still goes through if the window is free.
      }
    },
  };
}
