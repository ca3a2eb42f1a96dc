/**
 * One row per technician: the shift as a light band, breaks in grey, a
 * hatched block for the drive before each visit, the visit itself in the
 * technician's colour. Positions are proportional to time.
 */
import type { RouteView, Stop, Technician } from './api.js';
import { clock, duration } from './format.js';

interface Props {
  technicians: Technician[];
  routes: RouteView[];
  timezone: string;
  /** Visits the proposal moves: outlined. */
  changed: Set<string>;
  onSelect: (stop: Stop, technician: Technician) => void;
}

const HOUR = 3_600_000;

export function Timeline({ technicians, routes, timezone, changed, onSelect }: Props) {
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

  return (
    <div class="timeline" role="table" aria-label="Tournées par technicien">
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
        </div>
        <div class="tl-figs" role="columnheader">
          Trajet · Attente · Heures sup.
        </div>
      </div>
      {technicians.map((tech) => {
        const route = byTech.get(tech.id);
        if (!route) return null;
        return (
          <div class="tl-row" role="row" data-technician={tech.id}>
            <div class="tl-name" role="rowheader">
              <span class="swatch" style={{ background: tech.colour }} />
              {tech.name}
            </div>
            <div class="tl-track" role="cell">
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
                      class={`tl-visit${changed.has(stop.visitId) ? ' changed' : ''}${stop.pinned ? ' pinned' : ''}`}
                      data-visit={stop.visitId}
                      style={{ left: pct(start), width: width(start, end), background: tech.colour }}
                      title={`${stop.reference} · ${stop.service} · ${stop.address.city} · ${clock(stop.planned.start, timezone)}–${clock(stop.planned.end, timezone)} (créneau ${clock(stop.window.start, timezone)}–${clock(stop.window.end, timezone)})`}
                      onClick={() => onSelect(stop, tech)}
                    >
                      {stop.pinned ? '📌 ' : ''}
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
