/**
 * The day as a list, for a phone (the timeline is unreadable below 600 px):
 * per technician, the visits in order with time, reference, place and the
 * promised window. Tapping one selects it, like a block of the timeline.
 */
import type { ComponentChildren } from 'preact';
import type { Route, Stop, Technician } from './api.js';
import { clock, inkOn, PROGRESS_LABELS } from './format.js';
import { PinIcon } from './icons.js';

interface Props {
  technicians: Technician[];
  routes: Route[];
  timezone: string;
  changed: Set<string>;
  selected: string | null;
  onSelect: (stop: Stop, technician: Technician) => void;
  /** The selected visit's panel, shown right under it: on a phone the page's own panel would be screens away. */
  details: ComponentChildren;
}

export function DayList({ technicians, routes, timezone, changed, selected, onSelect, details }: Props) {
  const byTech = new Map(routes.map((r) => [r.technicianId, r]));
  return (
    <div class="day-list">
      {technicians.map((tech) => {
        const route = byTech.get(tech.id);
        if (!route) return null;
        return (
          <section class="dl-tech" data-technician={tech.id} aria-label={tech.name}>
            <h3>
              <span class="swatch" style={{ background: tech.colour }} />
              {tech.name}{' '}
              <span class="dl-count">
                {route.stops.length === 0
                  ? 'aucune visite'
                  : `${route.stops.length} visite${route.stops.length > 1 ? 's' : ''}`}
                , {clock(route.shift.start, timezone)}–{clock(route.shift.end, timezone)}
              </span>
            </h3>
            {route.stops.length > 0 && (
              <ol>
                {route.stops.map((stop) => {
                  const progress = stop.progress ?? 'planned';
                  return (
                    <li>
                      <button
                        type="button"
                        class={`dl-visit${changed.has(stop.visitId) ? ' changed' : ''}${selected === stop.visitId ? ' selected' : ''}`}
                        data-visit={stop.visitId}
                        onClick={() => onSelect(stop, tech)}
                      >
                        <span class="dl-time" style={{ background: tech.colour, color: inkOn(tech.colour) }}>
                          {clock(stop.planned.start, timezone)}
                        </span>
                        <span class="dl-what">
                          <strong>{stop.reference}</strong> {stop.pinned && <PinIcon />} · {stop.service}
                          <br />
                          {stop.address.city} · créneau {clock(stop.window.start, timezone)}–
                          {clock(stop.window.end, timezone)}
                          {progress !== 'planned' && (
                            <span class={`badge progress-${progress}`}> {PROGRESS_LABELS[progress]}</span>
                          )}
                        </span>
                      </button>
                      {selected === stop.visitId && details}
                    </li>
                  );
                })}
              </ol>
            )}
          </section>
        );
      })}
    </div>
  );
}
