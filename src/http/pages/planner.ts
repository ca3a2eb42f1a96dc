/**
 * The planner's page at /planner: a shell that loads /planner.js (no inline
 * script: the CSP says script-src 'self'); styles inline are allowed.
 */
export function plannerPageHtml(): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Planification des tournées — Tournée</title>
<script type="module" src="/planner.js"></script>
<style>
  :root { --ink: #1b2430; --muted: #5b6675; --line: #d9dee5; --paper: #f6f7f9; --brand: #1d4e89; --ok: #1c7c3a; --bad: #b42318; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
  main { max-width: 1400px; margin: 0 auto; padding: 16px 20px 40px; }
  h1 { font-size: 1.4rem; margin: 0; }
  h2 { font-size: 1.1rem; margin: 18px 0 8px; }
  .bar { display: flex; justify-content: space-between; align-items: center; margin-bottom: 12px; }
  button { font: inherit; padding: 6px 12px; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; }
  button:disabled { opacity: .55; cursor: progress; }
  button.primary { background: var(--brand); border-color: var(--brand); color: #fff; font-weight: 600; }
  button.link { border: none; background: none; color: var(--brand); text-decoration: underline; }
  button:focus-visible, input:focus-visible { outline: 3px solid #f5b700; outline-offset: 1px; }
  input { font: inherit; padding: 5px 8px; border: 1px solid #8892a0; border-radius: 6px; }
  .token { display: grid; gap: 8px; max-width: 420px; margin-top: 16px; }
  .hint { color: var(--muted); font-size: .85rem; }
  .day-picker { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
  .day-picker label { font-weight: 600; }
  .day-label { color: var(--muted); }
  .notice { padding: 8px 12px; border-radius: 6px; background: #eef2f7; }
  .notice.ok { background: #e5f4ea; color: var(--ok); }
  .notice.error { background: #fdecea; color: var(--bad); }
  .actions { display: flex; gap: 16px; align-items: center; margin: 14px 0; }
  .view-switch button[aria-pressed="true"] { background: var(--ink); color: #fff; }
  table.totals { border-collapse: collapse; background: #fff; min-width: 420px; }
  table.totals caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
  table.totals th, table.totals td { border: 1px solid var(--line); padding: 4px 10px; text-align: right; }
  table.totals th[scope="row"] { text-align: left; }
  td.gain { color: var(--ok); font-weight: 600; }
  td.loss { color: var(--bad); }
  .changes ul { margin: 0; padding-left: 20px; }
  .changes li { margin: 2px 0; }
  .apply { margin: 12px 0; }
  .confirm { display: flex; gap: 10px; align-items: center; background: #fff8e1; border: 1px solid #f5b700; padding: 8px 12px; border-radius: 6px; }
  .confirm p { margin: 0; }
  .timeline { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 0; }
  .tl-row { display: grid; grid-template-columns: 170px 1fr 190px; align-items: center; min-height: 30px; }
  .tl-row + .tl-row { border-top: 1px solid #eef0f3; }
  .tl-name { padding: 0 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .tl-figs { padding: 0 8px; color: var(--muted); font-size: .8rem; white-space: nowrap; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
  .tl-track { position: relative; height: 26px; margin-right: 18px; }
  .tl-scale .tl-track { height: 18px; }
  .tl-hour { position: absolute; top: 0; transform: translateX(-50%); font-size: .72rem; color: var(--muted); }
  .tl-shift { position: absolute; top: 3px; bottom: 3px; background: #f0f4f8; border-radius: 3px; }
  .tl-break { position: absolute; top: 3px; bottom: 3px; background: repeating-linear-gradient(45deg, #dfe3e8 0 4px, #eef0f3 4px 8px); }
  .tl-travel { position: absolute; top: 10px; height: 6px; background: repeating-linear-gradient(90deg, #8892a0 0 3px, transparent 3px 6px); }
  .tl-visit { position: absolute; top: 2px; bottom: 2px; padding: 0 3px; border: none; border-radius: 3px; color: #fff; font-size: .7rem; overflow: hidden; white-space: nowrap; text-shadow: 0 0 2px #000; min-width: 4px; }
  .tl-visit.changed { outline: 3px solid #f5b700; z-index: 1; }
  .details { margin: 8px 0; padding: 8px 12px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
  .details button { margin-left: 10px; }
  .map { display: block; width: 100%; max-width: 760px; margin-top: 12px; border: 1px solid var(--line); border-radius: 6px; }
  .map-bg { fill: #fbfcfd; }
  .map-route { fill: none; stroke-width: 2.5; stroke-opacity: .8; stroke-linejoin: round; }
  .map-visit { stroke: #fff; stroke-width: 1.5; }
  .map-visit.changed { stroke: #f5b700; stroke-width: 3; }
  .map-home { stroke: #1b2430; stroke-width: 1; }
  .empty { color: var(--muted); }
</style>
</head>
<body>
<div id="planner"><main><h1>Planification des tournées</h1><noscript>Cette page a besoin de JavaScript.</noscript></main></div>
</body>
</html>
`;
}
