/**
 * The planner's page at /planner: a shell that loads /planner.js (no inline
 * script: the CSP says script-src 'self'); styles inline are allowed, so
 * Leaflet's stylesheet ships inside the page (no CDN).
 */
import { PLANNER_CSS } from './planner-style.js';

export interface PlannerPageOptions {
  /** Tile URL template, or "off". */
  tiles: string;
  attribution: string;
  /** leaflet/dist/leaflet.css, read from the installed package. */
  leafletCss: string;
}

const attr = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function plannerPageHtml(options: PlannerPageOptions): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Planification des tournées — Tournée</title>
<script type="module" src="/planner.js"></script>
<style>${options.leafletCss.replace(/<\/style/gi, '')}</style>
<style>${PLANNER_CSS}</style>
</head>
<body>
<div id="planner" data-tiles="${attr(options.tiles)}" data-attribution="${attr(options.attribution)}"><main><h1>Planification des tournées</h1><noscript>Cette page a besoin de JavaScript.</noscript></main></div>
</body>
</html>
`;
}
