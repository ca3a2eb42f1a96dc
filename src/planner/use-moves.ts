/**
 * Moving visits by hand: the verdict of the server's insertion check while a
 * visit is dragged or placed in the move dialog (asked once per target,
 * after the pointer rests a moment), the move itself through the existing
 * PATCH with the visit's version, and the undo of the last moves.
 */
import { useRef, useState } from 'preact/hooks';
import { api, ApiError, explain } from './api.js';
import type { DragItem, DropTarget } from './drag.js';

export type Verdict =
  | { state: 'checking' }
  | { state: 'ok' }
  /** `codes`: the move check's, which tell whether the technician or the time is at fault. */
  | { state: 'refused'; reasons: string[]; codes: string[] }
  /** The service gave no answer (older service, or an error): the drop itself will be judged. */
  | { state: 'unchecked' };

export interface DragView {
  item: DragItem;
  target: DropTarget | null;
  verdict: Verdict | null;
}

/** A visit to move and where it is now (no `from` for an unassigned visit: nothing to undo to). */
export interface Movable {
  visitId: string;
  reference: string;
  version?: number;
  from?: { technicianId: string; start: string };
}

interface UndoEntry {
  visitId: string;
  reference: string;
  back: { technicianId: string; start: string };
  version: number;
}

interface Options {
  technicianName(id: string): string;
  describeTime(iso: string): string;
  /** After a move or an undo: reload the day and tell what happened. */
  done(message: string): Promise<void>;
  failed(message: string): void;
}

/** The pointer rests this long on a target before the server is asked. */
const SETTLE_MS = 120;

export function useMoves(options: Options) {
  const [drag, setDrag] = useState<DragView | null>(null);
  const [undo, setUndo] = useState<UndoEntry[]>([]);
  const [busy, setBusy] = useState(false);
  const verdicts = useRef(new Map<string, Promise<Verdict>>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  function verdict(visitId: string, target: DropTarget): Promise<Verdict> {
    const key = `${visitId}|${target.technicianId}|${target.startMs}`;
    let answer = verdicts.current.get(key);
    if (!answer) {
      answer = api
        .moveCheck(visitId, {
          technicianId: target.technicianId,
          start: new Date(target.startMs).toISOString(),
        })
        .then(
          (r): Verdict =>
            r.feasible
              ? { state: 'ok' }
              : {
                  state: 'refused',
                  reasons: r.reasons.map((x) => x.text),
                  codes: r.reasons.map((x) => x.code),
                },
          (): Verdict => ({ state: 'unchecked' }),
        );
      verdicts.current.set(key, answer);
    }
    return answer;
  }

  /** Where a dragged visit would land now; asks the server once the pointer settles there. */
  function hover(item: DragItem, target: DropTarget | null): void {
    clearTimeout(timer.current);
    if (!target) {
      setDrag({ item, target: null, verdict: null });
      return;
    }
    setDrag({ item, target, verdict: { state: 'checking' } });
    timer.current = setTimeout(() => {
      void verdict(item.visitId, target).then((v) =>
        setDrag((d) => (d && d.target === target ? { ...d, verdict: v } : d)),
      );
    }, SETTLE_MS);
  }

  async function move(visit: Movable, target: DropTarget): Promise<boolean> {
    setBusy(true);
    try {
      const judged = await verdict(visit.visitId, target);
      if (judged.state === 'refused') {
        options.failed(`Déplacement refusé : ${judged.reasons.join(' ; ')}. Rien n’a changé.`);
        return false;
      }
      const placed = await api.move(visit.visitId, {
        technicianId: target.technicianId,
        plannedStart: new Date(target.startMs).toISOString(),
        ...(visit.version !== undefined ? { version: visit.version } : {}),
      });
      const from = visit.from;
      if (from) {
        setUndo((u) => [
          ...u.slice(-9),
          { visitId: visit.visitId, reference: visit.reference, back: from, version: placed.version },
        ]);
      }
      verdicts.current.clear();
      await options.done(
        `${visit.reference} déplacée : ${placed.technician.name} à ${options.describeTime(placed.planned.start)}.`,
      );
      return true;
    } catch (error) {
      // The service's refusal already starts with "Déplacement impossible :"; say it once.
      const why = explain(error).replace(/^Déplacement impossible\s*:\s*/i, '');
      options.failed(`Déplacement refusé : ${why} Rien n’a changé.`);
      if (error instanceof ApiError && error.status === 409) verdicts.current.clear();
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function undoLast(): Promise<void> {
    const last = undo[undo.length - 1];
    if (!last) return;
    setBusy(true);
    try {
      await api.move(last.visitId, {
        technicianId: last.back.technicianId,
        plannedStart: last.back.start,
        version: last.version,
      });
      setUndo((u) => u.slice(0, -1));
      verdicts.current.clear();
      await options.done(
        `Déplacement annulé : ${last.reference} revient chez ${options.technicianName(last.back.technicianId)} à ${options.describeTime(last.back.start)}.`,
      );
    } catch (error) {
      // The visit changed since (moved again, optimised): this undo no longer applies.
      setUndo((u) => u.slice(0, -1));
      options.failed(`Impossible d’annuler : ${explain(error)}`);
    } finally {
      setBusy(false);
    }
  }

  return {
    drag,
    busy,
    canUndo: undo.length > 0,
    lastMoved: undo[undo.length - 1]?.reference ?? null,
    hover,
    endDrag: () => (clearTimeout(timer.current), setDrag(null)),
    verdict,
    move,
    undoLast,
    /** Verdicts hold for one state of the day only. */
    forget: () => verdicts.current.clear(),
  };
}
