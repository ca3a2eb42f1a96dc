/**
 * The day on a real map (Leaflet, tiles from TOURNEE_MAP_TILES): each route
 * in its technician's colour, numbered stops, homes, and a legend. When the
 * tiles do not load (offline, blocked, "off") the page falls back to the
 * plain SVG drawing, so the routes are always visible.
 */
import * as L from 'leaflet';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Route, Technician } from './api.js';
import { inkOn } from './format.js';
import { SvgMap } from './svg-map.js';

export interface MapSettings {
  /** Tile URL template, or null for the offline drawing only. */
  tiles: string | null;
  attribution: string;
}

interface Props {
  technicians: Technician[];
  routes: Route[];
  changed: Set<string>;
  settings: MapSettings;
}

/** No tile at all after this long: the tile server is out of reach. */
const TILE_PATIENCE_MS = 6000;

export function RouteMap(props: Props) {
  const [offline, setOffline] = useState(props.settings.tiles === null);
  const byTech = new Map(props.routes.map((r) => [r.technicianId, r]));
  return (
    <figure class="map-box">
      {offline || props.settings.tiles === null ? (
        <SvgMap technicians={props.technicians} routes={props.routes} changed={props.changed} />
      ) : (
        <LeafletMap {...props} tiles={props.settings.tiles} onTilesFailed={() => setOffline(true)} />
      )}
      <figcaption>
        <ul class="legend" aria-label="Légende">
          {props.technicians
            .filter((t) => byTech.has(t.id))
            .map((tech) => {
              const n = byTech.get(tech.id)!.stops.length;
              return (
                <li>
                  <span class="swatch" style={{ background: tech.colour }} />
                  {tech.name}{' '}
                  <span class="muted">({n === 0 ? 'aucune visite' : `${n} visite${n > 1 ? 's' : ''}`})</span>
                </li>
              );
            })}
          <li class="muted">
            ■ domicile · ① ordre des arrêts{props.changed.size > 0 ? ' · cerclé : déplacé' : ''}
          </li>
        </ul>
        {offline && props.settings.tiles !== null && (
          <p class="hint">Fond de carte indisponible : tracé simplifié des tournées.</p>
        )}
      </figcaption>
    </figure>
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const safeColour = (c: string) => (/^#[0-9a-f]{3,8}$/i.test(c) ? c : '#555');

function LeafletMap({
  technicians,
  routes,
  changed,
  settings,
  tiles,
  onTilesFailed,
}: Props & { tiles: string; onTilesFailed: () => void }) {
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<L.LayerGroup | null>(null);

  useEffect(() => {
    const m = L.map(element.current!, { scrollWheelZoom: false });
    m.attributionControl.setPrefix('Leaflet');
    let loaded = 0;
    let failed = 0;
    const layer = L.tileLayer(tiles, { attribution: escapeHtml(settings.attribution), maxZoom: 19 });
    layer.on('tileload', () => loaded++);
    layer.on('tileerror', () => {
      failed++;
      if (loaded === 0 && failed >= 2) onTilesFailed();
    });
    layer.addTo(m);
    const watchdog = setTimeout(() => loaded === 0 && onTilesFailed(), TILE_PATIENCE_MS);
    layers.current = L.layerGroup().addTo(m);
    map.current = m;
    return () => {
      clearTimeout(watchdog);
      m.remove();
      map.current = null;
    };
  }, [tiles]);

  useEffect(() => {
    const m = map.current;
    const group = layers.current;
    if (!m || !group) return;
    group.clearLayers();
    const byTech = new Map(routes.map((r) => [r.technicianId, r]));
    const bounds: L.LatLngExpression[] = [];
    for (const tech of technicians) {
      const route = byTech.get(tech.id);
      if (!route) continue;
      const colour = safeColour(tech.colour);
      const home: L.LatLngExpression = [tech.home.lat, tech.home.lon];
      bounds.push(home);
      const path = [
        home,
        ...route.stops.map((s): L.LatLngExpression => [s.address.lat, s.address.lon]),
        home,
      ];
      if (route.stops.length > 0)
        L.polyline(path, { color: colour, weight: 4, opacity: 0.85, className: 'map-route' }).addTo(group);
      L.marker(home, {
        icon: L.divIcon({
          className: 'home-pin',
          html: `<span style="background:${colour}"></span>`,
          iconSize: [14, 14],
        }),
        keyboard: false,
      })
        .bindTooltip(`Domicile de ${escapeHtml(tech.name)}`)
        .addTo(group);
      route.stops.forEach((s, i) => {
        const at: L.LatLngExpression = [s.address.lat, s.address.lon];
        bounds.push(at);
        L.marker(at, {
          icon: L.divIcon({
            className: changed.has(s.visitId) ? 'stop-pin changed' : 'stop-pin',
            html: `<span style="background:${colour};color:${inkOn(colour)}">${i + 1}</span>`,
            iconSize: [24, 24],
          }),
          keyboard: false,
        })
          .bindTooltip(
            `${escapeHtml(s.reference)} · ${escapeHtml(s.address.city)} · ${escapeHtml(tech.name)} (arrêt ${i + 1})`,
          )
          .addTo(group);
      });
    }
    if (bounds.length > 0) m.fitBounds(L.latLngBounds(bounds), { padding: [24, 24], maxZoom: 14 });
  }, [routes, technicians, changed]);

  return <div ref={element} class="leaflet-map" role="region" aria-label="Carte des tournées" />;
}
