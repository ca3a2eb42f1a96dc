/**
 * One row per technician: the shift as a light band, breaks hatched, a dotted
 * line for the drive before each visit, the visit itself in the technician's
 * colour (label in black or white, whichever reads). Positions are
 * proportional to time. Visits can be dragged to another time or row; the
 * drop target shows as a ghost with the server's verdict. On today's day a
 * red line marks "now".
 */
import type { Route, Stop, Technician } from './api.js';
import type { DragView } from './use-moves.js';
import { clock, duration, inkOn, PROGRESS_LABELS } from './format.js';
import { CheckIcon, PinIcon } from './icons.js';

interface Props {
  technicians: Technician[];
  routes: Route[];
  timezone: string;
  /** Visits the proposal moves: outlined. */
  changed: Set<string>;
  selected: string | null;
  onSelect: (stop: Stop, technician: Technician) => void;
  /** Absent when visits cannot be dragged (the proposal is shown). */
  onDragStart?: (event: PointerEvent, stop: Stop, technician: Technician) => void;
  drag: DragView | null;
  /** Server's "now" when the day is today. */
  now?: string | null | undefined;
}

const HOUR = 3_600_000;

function verdictText(drag: DragView, timezone: string, name: string): string {
  const at = drag.target ? `${name} à ${clock(new Date(drag.target.startMs).toISOString(), timezone)}` : '';
  switch (drag.verdict?.state) {
    case 'ok':
      return `Possible : ${at}`;
    case 'refused':
      return `Impossible : ${drag.verdict.reasons.join(' ; ')}`;
    case 'unchecked':
      return `${at} (vérifié au dépôt)`;
    default:
      return `${at} : vérification…`;
  }
}

export function Timeline(props: Props) {
  const { technicians, routes, timezone, changed, drag, onDragStart } = props;
  const byTech = new Map(routes.map((r) => [r.technicianId, r]));
  const instants = routes
    .flatMap((r) => [
      r.shift.start,
      r.shift.end,
      ...(r.backAt ? [r.backAt] : []),
      ...(r.departAt ? [r.departAt] : []),
    ])
    .map(Date.parse);
  if (instants.length === 0) return <p class="empty">Aucun technicien ne travaille ce jour-là.</p>;
  const from = Math.floor(Math.min(...instants) / HOUR) * HOUR;
  const to = Math.ceil(Math.max(...instants) / HOUR) * HOUR;
  const pct = (t: number) => `${(((t - from) / (to - from)) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${(((b - a) / (to - from)) * 100).toFixed(3)}%`;
  const hours: number[] = [];
  for (let t = from; t <= to; t += HOUR) hours.push(t);
  const now = props.now ? Date.parse(props.now) : NaN;
  const showNow = now >= from && now <= to;

  return (
    <div class="timeline" role="table" aria-label="Tournées par technicien" data-from={from} data-to={to}>
      <div class="tl-row tl-scale" role="row">
        <div class="tl-name" role="columnheader">
          Technicien
        </div>
        <div class="tl-track" role="columnheader" aria-label="Heures">
          {hours.map((h) => (
            <span class="tl-hour" style={{ left: pct(h) }}>
              {clock(new Date(h).toISOString(), timezone)}
            </span>
          ))}
          {showNow && (
            <span class="tl-now-label" style={{ left: pct(now) }}>
              {clock(props.now!, timezone)}
            </span>
          )}
        </div>
        <div class="tl-figs" role="columnheader">
          Trajet · Attente · Heures sup.
        </div>
      </div>
      {technicians.map((tech) => {
        const route = byTech.get(tech.id);
        if (!route) return null;
        const ink = inkOn(tech.colour);
        const ghostHere = drag?.target?.technicianId === tech.id ? drag : null;
        return (
          <div class="tl-row" role="row" data-technician={tech.id}>
            <div class="tl-name" role="rowheader">
              <span class="swatch" style={{ background: tech.colour }} />
              {tech.name}
            </div>
            <div class="tl-track" role="cell" data-technician={tech.id}>
              <div
                class="tl-shift"
                style={{
                  left: pct(Date.parse(route.shift.start)),
                  width: width(Date.parse(route.shift.start), Date.parse(route.shift.end)),
                }}
              />
              {route.shift.breaks.map((b) => (
                <div
                  class="tl-break"
                  title="Pause"
                  style={{
                    left: pct(Date.parse(b.start)),
                    width: width(Date.parse(b.start), Date.parse(b.end)),
                  }}
                />
              ))}
              {route.stops.map((stop) => {
                const start = Date.parse(stop.planned.start);
                const end = Date.parse(stop.planned.end);
                const drive = stop.travelMinutes * 60_000;
                const progress = stop.progress ?? 'planned';
                const classes = [
                  'tl-visit',
                  `progress-${progress}`,
                  changed.has(stop.visitId) ? 'changed' : '',
                  stop.pinned ? 'pinned' : '',
                  props.selected === stop.visitId ? 'selected' : '',
                ].filter(Boolean);
                return (
                  <>
                    {drive > 0 && (
                      <div
                        class="tl-travel"
                        title={`Trajet ${duration(stop.travelMinutes)}`}
                        style={{ left: pct(start - drive), width: width(start - drive, start) }}
                      />
                    )}
                    <button
                      type="button"
                      class={classes.join(' ')}
                      data-visit={stop.visitId}
                      style={{
                        left: pct(start),
                        width: width(start, end),
                        background: tech.colour,
                        color: ink,
                      }}
                      title={`${stop.reference} · ${stop.service} · ${stop.address.city} · ${clock(stop.planned.start, timezone)}–${clock(stop.planned.end, timezone)} (créneau ${clock(stop.window.start, timezone)}–${clock(stop.window.end, timezone)})${progress !== 'planned' ? ` · ${PROGRESS_LABELS[progress]}` : ''}${stop.pinned ? ' · épinglée' : ''}`}
                      aria-label={`${stop.reference}, ${tech.name}, ${clock(stop.planned.start, timezone)}${stop.pinned ? ', épinglée' : ''}${progress !== 'planned' ? `, ${PROGRESS_LABELS[progress]}` : ''}`}
                      onClick={() => props.onSelect(stop, tech)}
                      onPointerDown={onDragStart ? (e) => onDragStart(e, stop, tech) : undefined}
                    >
                      {stop.pinned && <PinIcon />}
                      {progress === 'done' && <CheckIcon />}
                      {clock(stop.planned.start, timezone)}
                    </button>
                  </>
                );
              })}
              {route.backAt && route.returnTravelMinutes > 0 && route.stops.length > 0 && (
                <div
                  class="tl-travel"
                  title={`Retour ${duration(route.returnTravelMinutes)}`}
                  style={{
                    left: pct(Date.parse(route.stops[route.stops.length - 1]!.planned.end)),
                    width: width(0, route.returnTravelMinutes * 60_000),
                  }}
                />
              )}
              {showNow && <div class="tl-now" style={{ left: pct(now) }} aria-hidden="true" />}
              {ghostHere?.target && (
                <>
                  <div
                    class={`tl-ghost ${ghostHere.verdict?.state ?? ''}`}
                    style={{
                      left: pct(ghostHere.target.startMs),
                      width: width(0, ghostHere.item.durationMs),
                    }}
                  />
                  <div
                    class={`tl-verdict ${ghostHere.verdict?.state ?? ''}`}
                    role="status"
                    // Anchored on the side with room, so the sentence stays on screen.
                    style={
                      ghostHere.target.startMs - from < (to - from) * 0.6
                        ? { left: pct(ghostHere.target.startMs) }
                        : {
                            right: `${(((to - ghostHere.target.startMs - ghostHere.item.durationMs) / (to - from)) * 100).toFixed(3)}%`,
                          }
                    }
                  >
                    {verdictText(ghostHere, timezone, tech.name)}
                  </div>
                </>
              )}
            </div>
            <div class="tl-figs" role="cell">
              {duration(route.travelMinutes)} · {duration(route.idleMinutes)} ·{' '}
              {duration(route.overtimeMinutes)}
            </div>
          </div>
        );
      })}
    </div>
  );
}
