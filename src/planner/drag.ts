/**
 * Dragging a visit (a timeline block or an unassigned card) onto a
 * technician's row. Pointer events rather than HTML drag and drop: they give
 * the position continuously, work with a pen or a finger, and let the page
 * draw its own ghost. The target is found by geometry: the row under the
 * pointer, and the time under it on the shared time scale of the timeline.
 */

export interface DragItem {
  visitId: string;
  reference: string;
  durationMs: number;
  /** How far after the visit's start the pointer grabbed it, so the block follows the hand. */
  grabMs: number;
}

export interface DropTarget {
  technicianId: string;
  startMs: number;
}

export interface DragHandlers {
  move(target: DropTarget | null): void;
  end(target: DropTarget | null): void;
}

/** Drops snap to 5 minutes: a dispatcher says 10:35, not 10:37. */
export const SNAP_MS = 5 * 60_000;
/** Below this many pixels a press is a click (select the visit), not a drag. */
const THRESHOLD_PX = 5;

/** The time scale of the timeline, written on its element by the Timeline component. */
export function timeAt(clientX: number, track: Element): number | null {
  const scale = track.closest<HTMLElement>('[data-from][data-to]');
  if (!scale) return null;
  const from = Number(scale.dataset.from);
  const to = Number(scale.dataset.to);
  const rect = track.getBoundingClientRect();
  if (rect.width <= 0) return null;
  return from + ((clientX - rect.left) / rect.width) * (to - from);
}

function targetAt(x: number, y: number, item: DragItem): DropTarget | null {
  for (const track of document.querySelectorAll<HTMLElement>('.timeline .tl-track[data-technician]')) {
    const rect = track.getBoundingClientRect();
    // The whole row height counts, not only the thin track: easier to aim.
    const row = track.closest('.tl-row')?.getBoundingClientRect() ?? rect;
    if (y < row.top || y > row.bottom || x < rect.left - 20 || x > rect.right + 20) continue;
    const at = timeAt(x, track);
    if (at === null) return null;
    const startMs = Math.round((at - item.grabMs) / SNAP_MS) * SNAP_MS;
    return { technicianId: track.dataset.technician!, startMs };
  }
  return null;
}

const same = (a: DropTarget | null, b: DropTarget | null) =>
  a === b || (a !== null && b !== null && a.technicianId === b.technicianId && a.startMs === b.startMs);

/**
 * Starts following the pointer after a press on `item`; returns at once. A
 * press that ends without moving stays a click (the element's own handler).
 */
export function beginDrag(down: PointerEvent, item: DragItem, handlers: DragHandlers): void {
  if (down.button !== 0) return;
  const source = down.currentTarget as HTMLElement | null;
  let dragging = false;
  let last: DropTarget | null = null;

  const onMove = (e: PointerEvent) => {
    if (!dragging) {
      if (Math.hypot(e.clientX - down.clientX, e.clientY - down.clientY) < THRESHOLD_PX) return;
      dragging = true;
      source?.classList.add('dragging');
      document.body.classList.add('dragging-visit');
    }
    e.preventDefault();
    const target = targetAt(e.clientX, e.clientY, item);
    if (!same(target, last)) {
      last = target;
      handlers.move(target);
    }
  };
  const stop = (e: PointerEvent, cancelled: boolean) => {
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('pointercancel', onCancel);
    window.removeEventListener('keydown', onKey);
    source?.classList.remove('dragging');
    document.body.classList.remove('dragging-visit');
    if (!dragging) return;
    // The button's own click follows pointerup: swallow it so a drop does not also select.
    const swallow = (c: Event) => (c.stopPropagation(), c.preventDefault());
    window.addEventListener('click', swallow, { capture: true, once: true });
    setTimeout(() => window.removeEventListener('click', swallow, { capture: true }), 0);
    handlers.end(cancelled ? null : targetAt(e.clientX, e.clientY, item));
  };
  const onUp = (e: PointerEvent) => stop(e, false);
  const onCancel = (e: PointerEvent) => stop(e, true);
  // Escape abandons the drag where it is.
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') stop(new PointerEvent('pointercancel'), true);
  };
  window.addEventListener('pointermove', onMove);
  window.addEventListener('pointerup', onUp);
  window.addEventListener('pointercancel', onCancel);
  window.addEventListener('keydown', onKey);
}

/** A timeline block as a dragged item, grabbed where the pointer pressed it. */
export function blockItem(
  down: PointerEvent,
  stop: { visitId: string; reference: string; planned: { start: string; end: string } },
): DragItem {
  const start = Date.parse(stop.planned.start);
  const track = (down.currentTarget as Element | null)?.closest('.tl-track');
  const at = (track && timeAt(down.clientX, track)) ?? start;
  return {
    visitId: stop.visitId,
    reference: stop.reference,
    durationMs: Date.parse(stop.planned.end) - start,
    grabMs: Math.max(0, at - start),
  };
}
