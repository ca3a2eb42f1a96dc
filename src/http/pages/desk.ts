/**
 * Claire's desk at /desk: a shell that loads /desk.js (no inline script: the
 * CSP says script-src 'self'); styles inline are allowed. One column on a
 * phone, caller on the left and actions + queue on the right from 960 px.
 */
export function deskPageHtml(): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Accueil clients — Tournée</title>
<script type="module" src="/desk.js"></script>
<style>
  :root { --ink: #1b2430; --muted: #5b6675; --line: #d9dee5; --paper: #f6f7f9; --brand: #1d4e89; --ok: #1c7c3a; --bad: #b42318; --focus: #f5b700; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
  main.desk { max-width: 1400px; margin: 0 auto; padding: 12px 20px 40px; }
  h1 { font-size: 1.35rem; margin: 0; }
  h2 { font-size: 1.1rem; margin: 0 0 8px; }
  h3 { font-size: .95rem; margin: 16px 0 6px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
  .bar { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; margin-bottom: 10px; }
  .shortcuts { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 0; padding: 0; color: var(--muted); font-size: .85rem; flex: 1; }
  kbd { display: inline-block; font: 600 .75rem/1.2 ui-monospace, monospace; padding: 1px 5px; border: 1px solid #b8c0cc; border-bottom-width: 2px; border-radius: 4px; background: #fff; color: var(--ink); }
  .keys { margin-left: 4px; white-space: nowrap; }
  button.primary kbd { background: transparent; color: #fff; border-color: #ffffff99; }
  button { font: inherit; padding: 6px 12px; border: 1px solid #b8c0cc; border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; }
  button:disabled { opacity: .55; cursor: default; }
  button.primary { background: var(--brand); border-color: var(--brand); color: #fff; font-weight: 600; }
  button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
  button.link { border: none; background: none; color: var(--brand); text-decoration: underline; padding: 4px; }
  :focus-visible, li[tabindex]:focus { outline: 3px solid var(--focus); outline-offset: 1px; }
  input, select, textarea { font: inherit; padding: 6px 8px; border: 1px solid #8892a0; border-radius: 6px; background: #fff; color: var(--ink); width: 100%; }
  textarea { resize: vertical; }
  input[type=radio], input[type=checkbox] { width: auto; }
  [aria-invalid=true] { border-color: var(--bad); }
  .token { display: grid; gap: 8px; max-width: 420px; margin-top: 16px; }
  .hint { color: var(--muted); font-size: .85rem; margin: 4px 0; }
  .sub { display: block; color: var(--muted); font-size: .85rem; }
  .empty { color: var(--muted); margin: 4px 0; }
  .intro { margin-top: 16px; max-width: 40em; }
  .notice { padding: 8px 12px; border-radius: 6px; background: #eef2f7; margin: 8px 0; }
  .notice.ok { background: #e5f4ea; color: var(--ok); font-weight: 600; }
  .notice.error { background: #fdecea; color: var(--bad); }
  .notice p { margin: 0 0 6px; }
  .columns { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; }
  @media (min-width: 960px) { .columns { grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); align-items: start; } }
  .search-label { display: block; font-weight: 600; margin-bottom: 4px; }
  #search { font-size: 1.1rem; padding: 10px 12px; border-width: 2px; }
  .results { list-style: none; margin: 4px 0 0; padding: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
  .results li { padding: 8px 12px; cursor: pointer; border-left: 4px solid transparent; }
  .results li + li { border-top: 1px solid #eef0f3; }
  .results li.active { background: #e8f0fa; border-left-color: var(--brand); }
  .results li.create { color: var(--brand); font-weight: 600; }
  .match { margin-left: 8px; font-size: .75rem; padding: 1px 6px; border-radius: 10px; background: #eef2f7; color: var(--muted); }
  .card, .panel, .queue { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin-top: 12px; }
  .panel { border: 2px solid var(--brand); }
  .card header h2 { font-size: 1.3rem; margin: 0; }
  .card header p { margin: 2px 0; }
  .contact { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 4px 0; }
  .contact a { color: var(--ink); font-weight: 600; }
  .buttons { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
  .visits, .requests-mini { list-style: none; margin: 0; padding: 0; }
  .visits li, .requests-mini li { padding: 6px 0; border-top: 1px solid #eef0f3; }
  .visits .buttons, .requests-mini .buttons { margin-top: 4px; }
  .visits.past li { color: var(--muted); }
  .when { font-weight: 600; }
  .ref { font: .8rem ui-monospace, monospace; color: var(--muted); margin-left: 4px; }
  .confirm-inline { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 4px; padding: 6px 8px; background: #fff8e1; border-radius: 6px; }
  .notes textarea { min-height: 4.5em; }
  .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 8px 12px; margin-bottom: 8px; }
  .fields .street { grid-column: span 2; }
  .fields label, .confirm > label { display: grid; gap: 2px; font-size: .85rem; font-weight: 600; }
  .fields .wide, .confirm .wide { grid-column: 1 / -1; }
  .fields .hint, .confirm .hint { font-weight: 400; }
  .slots { margin: 8px 0; }
  .slot-day { display: grid; grid-template-columns: 7.4em 1fr; gap: 6px; align-items: center; padding: 4px 0; border-top: 1px solid #eef0f3; }
  .slot-windows { display: flex; flex-wrap: wrap; gap: 6px; }
  .slot-date { font-weight: 600; font-size: .85rem; white-space: nowrap; }
  button.window { padding: 4px 7px; font-size: .9rem; font-variant-numeric: tabular-nums; }
  button.window.chosen { background: var(--brand); color: #fff; border-color: var(--brand); }
  button.window.current { border-style: dashed; color: var(--muted); background: transparent; cursor: default; }
  .confirm { display: grid; grid-template-columns: auto 1fr; gap: 8px 16px; margin-top: 10px; padding: 10px 12px; background: #f0f5fb; border-radius: 6px; }
  .confirm p, .confirm .buttons, .confirm .consent { margin: 0; grid-column: 1 / -1; }
  .confirm .cutoff { color: #7a4d00; font-weight: 600; }
  .channel { display: flex; flex-wrap: wrap; gap: 4px 16px; border: none; padding: 0; margin: 0; }
  .channel legend { font-size: .85rem; font-weight: 600; padding: 0; margin-bottom: 2px; }
  .consent { display: flex; gap: 6px; align-items: baseline; font-weight: 600; }
  .queue-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 8px; }
  .queue-head h2 { margin: 0; }
  .queue-head label { font-size: .85rem; font-weight: 600; display: flex; gap: 6px; align-items: center; }
  .queue-head select { width: auto; }
  .requests { list-style: none; margin: 8px 0 0; padding: 0; }
  .requests li { padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 6px; border-left: 4px solid #8892a0; }
  .requests li.in_progress { border-left-color: var(--brand); background: #f7f9fc; }
  .requests li.old .age { color: var(--bad); font-weight: 600; }
  .requests li.highlight { box-shadow: 0 0 0 2px #f5b70099; }
  /* The request whose caller's card is open (« Fiche »): Claire sees which one she is answering. */
  .requests li.open { border-color: var(--brand); border-left-width: 8px; background: #e8f0fa; box-shadow: 0 0 0 1px var(--brand); }
  .requests-mini li.open { background: #e8f0fa; border-left: 4px solid var(--brand); padding-left: 8px; }
  .open-tag { font-size: .75rem; font-weight: 700; padding: 1px 8px; border-radius: 10px; background: var(--brand); color: #fff; }
  .req-line { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; justify-content: space-between; }
  /* Kind, name, number from the left, age on the right: spread out, a wrapped line sent the name to the right edge on a phone. */
  .req-line:first-child { justify-content: flex-start; }
  .req-line .buttons { margin: 0; }
  .requests p.sub { margin: 2px 0; }
  .req-line a { color: var(--ink); }
  .req-text { margin: 4px 0; white-space: pre-wrap; }
  .age { margin-left: auto; color: var(--muted); font-size: .85rem; }
  .kind { font-size: .75rem; font-weight: 700; padding: 1px 8px; border-radius: 10px; background: #eef2f7; }
  .kind-callback { background: #e3ecfa; color: #1d4e89; }
  .kind-out_of_area, .kind-no_window { background: #fff1d6; color: #7a4d00; }
  .kind-quote { background: #e9f5ec; color: #1c5c33; }
  .close-form { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; width: 100%; margin-top: 6px; padding: 8px; background: #fff8e1; border-radius: 6px; }
  .close-form label { display: grid; gap: 2px; font-size: .85rem; font-weight: 600; flex: 1 1 160px; }
  .close-form select { width: auto; }
  @media (max-width: 600px) {
    main.desk { padding: 10px 10px 30px; }
    .shortcuts { display: none; }
    .slot-day { grid-template-columns: 1fr; }
    /* No Alt key on a phone: the keyboard hints would only be noise. */
    .keys, .keys-hint { display: none; }
    .fields { grid-template-columns: 1fr 1fr; }
    .confirm { grid-template-columns: 1fr; }
  }
</style>
</head>
<body>
<div id="desk"><main class="desk"><h1>Accueil clients</h1><noscript>Cette page a besoin de JavaScript.</noscript></main></div>
</body>
</html>
`;
}
