/**
 * Gaëtan's planning page: pick a day, read each technician's route, move
 * visits by hand (drag, or the move dialog), place unassigned ones, follow
 * today's progress, insert urgent work, ask the optimiser for a better plan,
 * compare, apply. French only: it is an in-house tool.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  explain,
  storedToken,
  storeToken,
  type DayView,
  type PlanView,
  type Progress,
  type Stop,
  type Unassigned,
} from './api.js';
import { AbsencePanel } from './absence.js';
import { Details } from './details.js';
import { DayList } from './day-list.js';
import { beginDrag, blockItem, type DragItem } from './drag.js';
import { clock, longDate, PROGRESS_LABELS, tomorrow } from './format.js';
import { RouteMap, type MapSettings } from './map.js';
import { MoveDialog, type MoveRequest } from './move-dialog.js';
import { TokenForm } from '../staff/token-form.js';
import { ApplyBar, Changes, Comparison, DayPicker, type Notice } from './summary.js';
import { Timeline } from './timeline.js';
import { UnassignedLane } from './unassigned.js';
import { UrgentPanel } from './urgent.js';
import { useMoves } from './use-moves.js';
import { Workloads } from './workloads.js';

type Shown = 'current' | 'proposed';

function initialDate(): string {
  const fromUrl = new URLSearchParams(location.search).get('date');
  return fromUrl && /^\d{4}-\d{2}-\d{2}$/.test(fromUrl) ? fromUrl : tomorrow();
}

/** ?limitMs= sets the optimiser's budget (the service bounds it); default: the service's. */
function timeLimitFromUrl(): number | undefined {
  const value = Number(new URLSearchParams(location.search).get('limitMs'));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Plans fail with 409 when the day changed: the way out is a new proposal. */
function explainPlan(error: unknown): string {
  const text = explain(error);
  if (error instanceof ApiError && error.status === 409 && !/relancez/i.test(text))
    return `${text} Relancez une optimisation.`;
  return text;
}

export function App({ map }: { map: MapSettings }) {
  const [token, setToken] = useState<string | null>(storedToken());
  const [date, setDate] = useState(initialDate());
  const [day, setDay] = useState<DayView | null>(null);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [shown, setShown] = useState<Shown>('current');
  const [busy, setBusy] = useState<'load' | 'propose' | 'apply' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [moving, setMoving] = useState<MoveRequest | null>(null);
  const [urgent, setUrgent] = useState(false);
  const [absence, setAbsence] = useState(false);

  /** Re-reads the day after a change made here; keeps the selection and the message. */
  async function refresh(): Promise<void> {
    setDay(await api.routes(date));
    setPlan(null);
    setShown('current');
    setConfirming(false);
  }

  const moves = useMoves({
    technicianName: (id) => day?.technicians.find((t) => t.id === id)?.name ?? '',
    describeTime: (iso) => clock(iso, day?.timezone ?? 'Europe/Paris'),
    done: async (message) => {
      await refresh().catch(() => undefined);
      setNotice({ kind: 'ok', text: message });
    },
    failed: (message) => setNotice({ kind: 'error', text: message }),
  });

  async function load(which = date): Promise<void> {
    setBusy('load');
    setNotice(null);
    setSelectedId(null);
    try {
      setDay(await api.routes(which));
      setPlan(null);
      setShown('current');
      setConfirming(false);
      moves.forget();
    } catch (error) {
      setNotice({ kind: 'error', text: explain(error) });
      if (error instanceof ApiError && error.status === 401) setToken(null);
    } finally {
      setBusy(null);
    }
  }

  useEffect(() => {
    if (token) void load();
  }, [token]);

  async function propose(): Promise<void> {
    setBusy('propose');
    setNotice(null);
    setConfirming(false);
    try {
      const proposal = await api.propose(date, timeLimitFromUrl());
      setPlan(proposal);
      setShown('proposed');
      if (proposal.optimiser.keptCurrent) setNotice({ kind: 'info', text: proposal.optimiser.keptCurrent });
      else if (proposal.changes.length === 0)
        setNotice({
          kind: 'info',
          text: 'Les tournées actuelles sont déjà bonnes : aucun changement proposé.',
        });
    } catch (error) {
      setNotice({ kind: 'error', text: explainPlan(error) });
    } finally {
      setBusy(null);
    }
  }

  async function apply(): Promise<void> {
    if (!plan) return;
    setBusy('apply');
    setConfirming(false);
    try {
      const applied = await api.apply(plan.id);
      await refresh();
      const s = applied.moved > 1 ? 's' : '';
      setNotice({
        kind: 'ok',
        text: `Plan appliqué : ${applied.moved} visite${s} modifiée${s}. Les agendas des techniciens sont à jour.`,
      });
    } catch (error) {
      setNotice({ kind: 'error', text: explainPlan(error) });
      if (error instanceof ApiError && error.status === 409) setPlan({ ...plan, status: 'stale' });
    } finally {
      setBusy(null);
    }
  }

  /** Room made for a visit comes as a proposal: shown like the optimiser's, applied the same way. */
  /** null once a proposal came; else why not, said in the move dialog (the page's notice is behind it). */
  async function makeRoom(visitId: string): Promise<string | null> {
    setNotice(null);
    setConfirming(false);
    try {
      const proposal = await api.makeRoom(visitId);
      setPlan(proposal);
      setShown('proposed');
      const visit = proposal.changes.find((c) => c.visitId === visitId);
      setNotice({
        kind: 'info',
        text: `Place proposée pour ${visit?.reference ?? 'la visite'} : vérifiez les changements, puis appliquez.`,
      });
      return null;
    } catch (error) {
      return explain(error);
    }
  }

  async function change(what: () => Promise<unknown>, success: string): Promise<void> {
    try {
      await what();
      await refresh();
      setNotice({ kind: 'ok', text: success });
    } catch (error) {
      setNotice({ kind: 'error', text: explain(error) });
    }
  }

  if (!token)
    return (
      <TokenForm
        title="Planification des tournées"
        role="planificateur"
        hint="Votre administrateur vous remet ce jeton (rôle planificateur). Démonstration : le jeton d’administration affiché par « npm start » ouvre aussi le planning."
        onToken={(t) => (storeToken(t), setToken(t))}
        notice={notice}
      />
    );

  const routes = shown === 'proposed' && plan ? plan.proposed : day?.current;
  const changed = new Set(plan && shown === 'proposed' ? plan.changes.map((c) => c.visitId) : []);
  const editable = shown === 'current' && busy === null && !moves.busy;
  const selected = (() => {
    for (const route of routes?.routes ?? []) {
      const stop = route.stops.find((s) => s.visitId === selectedId);
      const technician = day?.technicians.find((t) => t.id === route.technicianId);
      if (stop && technician) return { stop, technician };
    }
    return null;
  })();

  const details = selected && day && (
    <Details
      stop={selected.stop}
      technician={selected.technician}
      timezone={day.timezone}
      editable={shown === 'current'}
      busy={!editable}
      onMove={() =>
        setMoving({
          visitId: selected.stop.visitId,
          reference: selected.stop.reference,
          version: selected.stop.version,
          from: { technicianId: selected.technician.id, start: selected.stop.planned.start },
          technicianId: selected.technician.id,
          start: selected.stop.planned.start,
          window: selected.stop.window,
        })
      }
      onPin={() =>
        void change(
          () => api.pin(selected.stop.visitId, !selected.stop.pinned),
          selected.stop.pinned
            ? `${selected.stop.reference} n’est plus épinglée.`
            : `${selected.stop.reference} est épinglée : l’optimiseur ne la déplacera pas.`,
        )
      }
      onProgress={(progress: Progress) =>
        void change(
          () => api.progress(selected.stop.visitId, progress, selected.stop.version),
          `${selected.stop.reference} : ${PROGRESS_LABELS[progress].toLowerCase()}.`,
        )
      }
    />
  );

  function drag(
    event: PointerEvent,
    item: DragItem,
    version: number,
    from?: { technicianId: string; start: string },
  ) {
    beginDrag(event, item, {
      move: (target) => moves.hover(item, target),
      end: (target) => {
        moves.endDrag();
        if (!target) return;
        if (from && target.technicianId === from.technicianId && target.startMs === Date.parse(from.start))
          return;
        void moves.move(
          {
            visitId: item.visitId,
            reference: item.reference,
            version,
            ...(from ? { from } : {}),
          },
          target,
        );
      },
    });
  }

  function placeUnassigned(item: Unassigned): MoveRequest {
    return {
      visitId: item.visitId,
      reference: item.reference,
      version: item.version,
      // Its previous technician is absent: offer the first one of the day, the planner picks.
      technicianId: day?.technicians.find((t) => t.id !== item.previousTechnicianId)?.id ?? '',
      start: item.windowStart,
      window: { start: item.windowStart, end: item.windowEnd },
    };
  }

  return (
    <main>
      <DayPicker
        date={date}
        label={day ? longDate(day.date) : null}
        busy={busy !== null}
        onDate={setDate}
        onShow={() => void load(date)}
        onSignOut={() => (storeToken(null), setToken(null), setDay(null), setPlan(null))}
      />

      {notice && (
        <p class={`notice ${notice.kind} outcome`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {busy === 'load' && <p class="notice info">Chargement…</p>}

      {day && (
        <>
          {day.warnings.map((w) => (
            <p class="notice info">{w}</p>
          ))}
          {day.visitsOutsideRoutes > day.unassigned.length && (
            <p class="notice info">
              {day.visitsOutsideRoutes - day.unassigned.length} visite(s) de ce jour sont hors des tournées
              (commencées ou terminées chez un technicien absent) : elles ne sont pas replanifiées.
            </p>
          )}

          <section class="actions">
            <button
              type="button"
              class="primary"
              onClick={() => void propose()}
              disabled={busy !== null || day.current.totals.visits + day.unassigned.length === 0}
            >
              {busy === 'propose' ? 'Optimisation en cours…' : 'Proposer une optimisation'}
            </button>
            {plan && (
              <div class="view-switch" role="group" aria-label="Tournées affichées">
                <button type="button" aria-pressed={shown === 'current'} onClick={() => setShown('current')}>
                  Actuel
                </button>
                <button
                  type="button"
                  aria-pressed={shown === 'proposed'}
                  onClick={() => setShown('proposed')}
                >
                  Proposé
                </button>
              </div>
            )}
            {moves.canUndo && shown === 'current' && (
              <button type="button" onClick={() => void moves.undoLast()} disabled={!editable}>
                Annuler le dernier déplacement ({moves.lastMoved})
              </button>
            )}
            <button
              type="button"
              class="urgent-button"
              aria-expanded={urgent}
              onClick={() => setUrgent(!urgent)}
            >
              Urgence
            </button>
            <button type="button" aria-expanded={absence} onClick={() => setAbsence(!absence)}>
              Absence
            </button>
          </section>

          {absence && (
            <AbsencePanel
              date={day.date}
              timezone={day.timezone}
              onDone={async (message) => {
                await refresh();
                setNotice({ kind: 'ok', text: message });
              }}
              onClose={() => setAbsence(false)}
            />
          )}

          {urgent && (
            <UrgentPanel
              date={day.date}
              timezone={day.timezone}
              now={day.now}
              onDone={async (message) => {
                await refresh();
                setNotice({ kind: 'ok', text: message });
              }}
              onClose={() => setUrgent(false)}
            />
          )}

          <Comparison current={day.current.totals} proposed={plan?.proposed.totals} />

          {plan && <Changes plan={plan} />}

          {plan && plan.changes.length > 0 && (
            <ApplyBar
              plan={plan}
              confirming={confirming}
              busy={busy !== null}
              applying={busy === 'apply'}
              onConfirm={setConfirming}
              onApply={() => void apply()}
            />
          )}

          {shown === 'current' && (
            <UnassignedLane
              items={day.unassigned}
              timezone={day.timezone}
              {...(editable
                ? {
                    onDragStart: (e: PointerEvent, item: Unassigned) =>
                      drag(
                        e,
                        {
                          visitId: item.visitId,
                          reference: item.reference,
                          durationMs: (item.durationMinutes ?? 60) * 60_000,
                          grabMs: 0,
                        },
                        item.version,
                      ),
                  }
                : {})}
              onPlace={(item) => setMoving(placeUnassigned(item))}
            />
          )}

          {routes && (
            <section class="views">
              <h2>{shown === 'proposed' ? 'Tournées proposées' : 'Tournées actuelles'}</h2>
              {shown === 'current' && (
                <p class="hint tl-help">
                  Glissez une visite vers une autre heure ou un autre technicien, ou sélectionnez-la puis «
                  Déplacer… ». Trait sombre en bas : en route ou sur place ; estompée : terminée ; barrée :
                  client absent.
                </p>
              )}
              <Timeline
                technicians={day.technicians}
                routes={routes.routes}
                timezone={day.timezone}
                changed={changed}
                selected={selectedId}
                now={day.now}
                drag={moves.drag}
                onSelect={(stop) => {
                  setSelectedId(stop.visitId);
                  // Its details and actions (Déplacer…, Épingler, progress) come under all the rows:
                  // brought into view, or selecting a visit seemed to do nothing but outline it.
                  setTimeout(
                    () => document.querySelector('.details-wide')?.scrollIntoView({ block: 'nearest' }),
                    0,
                  );
                }}
                {...(editable
                  ? {
                      onDragStart: (e: PointerEvent, stop: Stop, tech: { id: string }) =>
                        drag(e, blockItem(e, stop), stop.version, {
                          technicianId: tech.id,
                          start: stop.planned.start,
                        }),
                    }
                  : {})}
              />
              <DayList
                technicians={day.technicians}
                routes={routes.routes}
                timezone={day.timezone}
                changed={changed}
                selected={selectedId}
                onSelect={(stop) => setSelectedId(stop.visitId)}
                details={details}
              />
              {details && <div class="details-wide">{details}</div>}
              <Workloads technicians={day.technicians} current={day.current.routes} plan={plan} />
              <h2>Carte</h2>
              <RouteMap
                technicians={day.technicians}
                routes={routes.routes}
                changed={changed}
                settings={map}
              />
            </section>
          )}
        </>
      )}

      {moving && day && (
        <MoveDialog
          request={moving}
          technicians={day.technicians}
          date={day.date}
          timezone={day.timezone}
          verdict={moves.verdict}
          move={moves.move}
          makeRoom={makeRoom}
          onClose={() => setMoving(null)}
        />
      )}
    </main>
  );
}
