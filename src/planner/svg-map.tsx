/**
 * The day drawn without a tile server (offline, or tiles that do not load):
 * technicians' homes as squares, visits as numbered dots, each route as a
 * polyline in the technician's colour. Equirectangular projection, fine at
 * city scale.
 */
import type { Route, Technician } from './api.js';
import { inkOn } from './format.js';

interface Props {
  technicians: Technician[];
  routes: Route[];
  changed: Set<string>;
}

const W = 640;
const H = 420;
const PAD = 24;

export function SvgMap({ technicians, routes, changed }: Props) {
  const byTech = new Map(routes.map((r) => [r.technicianId, r]));
  const points = [
    ...technicians.filter((t) => byTech.has(t.id)).map((t) => t.home),
    ...routes.flatMap((r) => r.stops.map((s) => ({ lat: s.address.lat, lon: s.address.lon }))),
  ];
  if (points.length === 0) return null;
  const lat0 = points.reduce((s, p) => s + p.lat, 0) / points.length;
  const kx = Math.cos((lat0 * Math.PI) / 180);
  const xs = points.map((p) => p.lon * kx);
  const ys = points.map((p) => -p.lat);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min(
    (W - 2 * PAD) / Math.max(maxX - minX, 1e-6),
    (H - 2 * PAD) / Math.max(maxY - minY, 1e-6),
  );
  // Centre the drawing in the frame whichever side is the tighter one.
  const offsetX = (W - (maxX - minX) * scale) / 2;
  const offsetY = (H - (maxY - minY) * scale) / 2;
  const project = (p: { lat: number; lon: number }) => ({
    x: offsetX + (p.lon * kx - minX) * scale,
    y: offsetY + (-p.lat - minY) * scale,
  });

  return (
    <svg class="map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Carte des tournées (tracé simplifié)">
      <rect x="0" y="0" width={W} height={H} class="map-bg" />
      {technicians.map((tech) => {
        const route = byTech.get(tech.id);
        if (!route || route.stops.length === 0) return null;
        const home = project(tech.home);
        const path = [home, ...route.stops.map((s) => project(s.address)), home]
          .map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`)
          .join(' ');
        return <polyline class="map-route" data-technician={tech.id} points={path} stroke={tech.colour} />;
      })}
      {technicians.map((tech) => {
        const route = byTech.get(tech.id);
        if (!route) return null;
        const home = project(tech.home);
        const ink = inkOn(tech.colour);
        return (
          <g>
            <rect x={home.x - 5} y={home.y - 5} width="10" height="10" fill={tech.colour} class="map-home">
              <title>Domicile de {tech.name}</title>
            </rect>
            {route.stops.map((s, i) => {
              const p = project(s.address);
              const moved = changed.has(s.visitId);
              return (
                <g class={moved ? 'map-stop changed' : 'map-stop'}>
                  <circle
                    cx={p.x}
                    cy={p.y}
                    r={moved ? 9 : 8}
                    fill={tech.colour}
                    class={moved ? 'map-visit changed' : 'map-visit'}
                  >
                    <title>
                      {s.reference} · {s.address.city} · {tech.name} (arrêt {i + 1})
                    </title>
                  </circle>
                  <text x={p.x} y={p.y + 3.5} fill={ink} class="map-number" aria-hidden="true">
                    {i + 1}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}
