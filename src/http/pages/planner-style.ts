/** The planner page's stylesheet (inline in the page: the CSP allows inline styles, not scripts). */
export const PLANNER_CSS = `
  :root { --ink: #1b2430; --muted: #5b6675; --line: #d9dee5; --paper: #f6f7f9; --brand: #1d4e89; --ok: #1c7c3a; --bad: #b42318; --focus: #1d4e89; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
  body.dragging-visit { cursor: grabbing; user-select: none; }
  main { max-width: 1400px; margin: 0 auto; padding: 16px 20px 40px; }
  h1 { font-size: 1.4rem; margin: 0; }
  h2 { font-size: 1.1rem; margin: 18px 0 8px; }
  .bar { display: flex; justify-content: space-between; align-items: center; margin-bottom: 12px; gap: 8px; }
  button { font: inherit; padding: 6px 12px; border: 1px solid #8892a0; border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; }
  button:disabled { opacity: .55; cursor: progress; }
  button.primary { background: var(--brand); border-color: var(--brand); color: #fff; font-weight: 600; }
  button.link { border: none; background: none; color: var(--brand); text-decoration: underline; }
  button.urgent-button { border-color: var(--bad); color: var(--bad); font-weight: 600; }
  button:focus-visible, input:focus-visible, select:focus-visible, .leaflet-map:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  input, select { font: inherit; padding: 5px 8px; border: 1px solid #8892a0; border-radius: 6px; background: #fff; }
  /* The input a refusal names (the panel's error says which, in words). */
  [aria-invalid=true] { border: 2px solid var(--bad); background: #fff8f7; }
  .token { display: grid; gap: 8px; max-width: 420px; margin-top: 16px; }
  .hint, .muted { color: var(--muted); font-size: .85rem; }
  .day-picker { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
  .day-picker label { font-weight: 600; }
  .day-label { color: var(--muted); }
  .notice { padding: 8px 12px; border-radius: 6px; background: #eef2f7; }
  .notice.ok { background: #e5f4ea; color: var(--ok); }
  .notice.error { background: #fdecea; color: var(--bad); }
  /* What the last action did stays on screen: Gaëtan acts far below the top (a visit's details, the
     move dialog, the absence list), where a message at the top of the page was never seen. */
  .notice.outcome { position: sticky; top: 0; z-index: 1100; box-shadow: 0 2px 6px rgba(0, 0, 0, .15); }
  .actions { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 14px 0; }
  .view-switch button[aria-pressed="true"] { background: var(--ink); color: #fff; }
  .scroll { overflow-x: auto; }
  table.totals, table.loads, table.urgent-options { border-collapse: collapse; background: #fff; }
  table.totals { min-width: min(420px, 100%); }
  caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
  table.totals th, table.totals td, table.loads th, table.loads td, table.urgent-options th, table.urgent-options td { border: 1px solid var(--line); padding: 4px 10px; text-align: right; white-space: nowrap; }
  th[scope="row"] { text-align: left; }
  td.gain, strong.gain { color: var(--ok); font-weight: 600; }
  td.loss, strong.loss { color: var(--bad); }
  .changes ul { margin: 0; padding-left: 20px; }
  .changes li { margin: 2px 0; }
  .apply { margin: 12px 0; }
  .confirm { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; background: #fff8e1; border: 1px solid #b98900; padding: 8px 12px; border-radius: 6px; }
  .confirm p { margin: 0; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; border: 1px solid rgba(0,0,0,.25); }
  .icon { vertical-align: -1px; margin-right: 2px; }

  /* Timeline */
  .tl-help { margin: 0 0 6px; }
  .timeline { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 0; }
  .tl-row { display: grid; grid-template-columns: 170px 1fr 190px; align-items: center; min-height: 34px; }
  .tl-row + .tl-row { border-top: 1px solid #eef0f3; }
  .tl-name { padding: 0 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .tl-figs { padding: 0 8px; color: var(--muted); font-size: .8rem; white-space: nowrap; }
  .tl-track { position: relative; height: 28px; margin-right: 18px; }
  .tl-scale .tl-track { height: 18px; }
  .tl-hour { position: absolute; top: 0; transform: translateX(-50%); font-size: .72rem; color: var(--muted); }
  .tl-shift { position: absolute; top: 3px; bottom: 3px; background: #eef2f6; border-radius: 3px; }
  .tl-break { position: absolute; top: 3px; bottom: 3px; background: repeating-linear-gradient(45deg, #d5dae0 0 4px, #eef0f3 4px 8px); }
  .tl-travel { position: absolute; top: 12px; height: 4px; background: repeating-linear-gradient(90deg, #6b7482 0 3px, transparent 3px 6px); }
  .tl-visit { position: absolute; top: 2px; bottom: 2px; padding: 0 3px; border: 1px solid rgba(0,0,0,.35); border-radius: 3px; font-size: .72rem; font-weight: 600; overflow: hidden; white-space: nowrap; min-width: 4px; touch-action: none; cursor: grab; }
  .tl-visit.changed { outline: 3px dashed var(--ink); outline-offset: 1px; z-index: 1; }
  .tl-visit.selected { outline: 3px solid var(--ink); outline-offset: 1px; z-index: 2; }
  .tl-visit.dragging { opacity: .45; }
  .tl-visit.progress-done, .tl-visit.progress-no_show { opacity: .55; }
  .tl-visit.progress-no_show { text-decoration: line-through; }
  .tl-visit.progress-en_route, .tl-visit.progress-on_site { box-shadow: inset 0 -4px 0 rgba(0,0,0,.45); }
  .tl-now { position: absolute; top: -3px; bottom: -3px; width: 2px; margin-left: -1px; background: #d0021b; z-index: 3; pointer-events: none; }
  .tl-now-label { position: absolute; top: 0; transform: translateX(-50%); font-size: .72rem; font-weight: 700; color: #fff; background: #d0021b; border-radius: 3px; padding: 0 3px; z-index: 3; }
  .tl-ghost { position: absolute; top: 1px; bottom: 1px; border: 2px dashed var(--ink); border-radius: 3px; background: rgba(29,78,137,.15); z-index: 4; pointer-events: none; }
  .tl-ghost.ok { border-color: var(--ok); background: rgba(28,124,58,.2); }
  .tl-ghost.refused { border-color: var(--bad); background: rgba(180,35,24,.2); }
  .tl-verdict { position: absolute; top: 100%; margin-top: 2px; z-index: 5; white-space: nowrap; font-size: .8rem; padding: 2px 6px; border-radius: 4px; background: var(--ink); color: #fff; pointer-events: none; }
  .tl-verdict.ok { background: var(--ok); }
  .tl-verdict.refused { background: var(--bad); }

  /* Selected visit */
  .details { margin: 8px 0; padding: 8px 12px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
  .details p { margin: 0 0 6px; }
  .details-actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
  .progress { display: flex; flex-wrap: wrap; gap: 4px; }
  .progress button[aria-pressed="true"] { background: var(--ink); color: #fff; }
  .badge { font-size: .75rem; font-weight: 600; margin-left: 4px; }

  /* Unassigned lane */
  .unassigned { background: #fff8e1; border: 1px solid #b98900; border-radius: 6px; padding: 4px 12px 10px; margin: 12px 0; }
  .unassigned h2 { margin: 8px 0; }
  .unassigned ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 8px; }
  .ua-card { background: #fff; border: 1px solid #8892a0; border-left: 5px solid #b98900; border-radius: 6px; padding: 6px 10px; font-size: .85rem; cursor: grab; touch-action: none; max-width: 320px; }
  .ua-card.dragging { opacity: .5; }
  .ua-card button { display: block; margin-top: 6px; padding: 2px 10px; font-size: .8rem; }
  .ua-reason { color: #7a4f00; }

  /* Workloads */
  .workloads .spread { margin: 0 0 6px; }
  .workloads .figure { white-space: nowrap; }
  /* Names read from the left (th[scope="row"] alone lost to the right-aligned figures' rule). */
  table.loads th[scope="row"] { text-align: left; }

  /* Map */
  .map-box { margin: 0; }
  .leaflet-map { height: 460px; max-width: 900px; border: 1px solid var(--line); border-radius: 6px; }
  .map { display: block; width: 100%; max-width: 900px; border: 1px solid var(--line); border-radius: 6px; background: #fbfcfd; }
  .map-bg { fill: #fbfcfd; }
  .map-route { fill: none; stroke-width: 3; stroke-opacity: .85; stroke-linejoin: round; }
  .map-visit { stroke: #fff; stroke-width: 1.5; }
  .map-visit.changed { stroke: var(--ink); stroke-width: 3; }
  .map-number { font: 700 9px system-ui, sans-serif; text-anchor: middle; pointer-events: none; }
  .map-home { stroke: var(--ink); stroke-width: 1; }
  .stop-pin span { display: flex; align-items: center; justify-content: center; width: 24px; height: 24px; border-radius: 50%; border: 2px solid #fff; box-shadow: 0 0 0 1px rgba(0,0,0,.5); font: 700 11px system-ui, sans-serif; }
  .stop-pin.changed span { box-shadow: 0 0 0 3px var(--ink); }
  .home-pin span { display: block; width: 14px; height: 14px; border: 2px solid var(--ink); }
  .legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; margin: 8px 0; font-size: .85rem; }

  /* Move dialog */
  .move-dialog { border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; max-width: min(420px, 94vw); }
  .move-dialog::backdrop { background: rgba(27,36,48,.35); }
  .move-dialog form, .urgent-form { display: grid; gap: 6px; }
  .move-dialog h2 { margin-top: 0; }
  .verdict { min-height: 1.4em; margin: 6px 0; }
  .verdict.ok { color: var(--ok); }
  .verdict.refused { color: var(--bad); font-weight: 600; }
  .dialog-actions { display: flex; gap: 8px; margin-top: 8px; }
  .suggestions h3 { font-size: 1rem; margin: 2px 0 4px; }
  .suggestions .hint { margin: 0 0 4px; }
  /* Padded so the focus outline of the first and last option is not cut by the scroll box. */
  .suggestion-list { list-style: none; margin: 0 0 6px; padding: 4px; display: grid; gap: 4px; max-height: min(36vh, 290px); overflow-y: auto; }
  .suggestion { display: grid; grid-template-columns: 1fr auto; gap: 0 10px; width: 100%; text-align: left; padding: 4px 10px; }
  .suggestion[aria-pressed="true"] { border-color: var(--brand); box-shadow: inset 0 0 0 2px var(--brand); background: #eef2f7; }
  .sg-name { font-weight: 600; overflow-wrap: anywhere; }
  .sg-time { font-weight: 700; text-align: right; font-variant-numeric: tabular-nums; }
  .sg-day, .sg-drive { font-size: .82rem; color: var(--muted); }
  .sg-drive { text-align: right; }
  .tech-times .hint { margin: 0 0 4px; }
  .time-list { list-style: none; margin: 0 0 4px; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; }
  .time-choice { padding: 2px 6px; font-variant-numeric: tabular-nums; font-weight: 600; }
  .time-choice .sg-drive { font-weight: 400; }
  .time-choice[aria-pressed="true"] { border-color: var(--brand); box-shadow: inset 0 0 0 2px var(--brand); background: #eef2f7; }

  /* Urgent */
  .urgent { background: #fff; border: 2px solid var(--bad); border-radius: 6px; padding: 4px 16px 12px; margin: 12px 0; }
  .urgent-form { grid-template-columns: max-content minmax(0, 320px); align-items: center; }
  .urgent-form .dialog-actions { grid-column: 1 / -1; }
  .urgent-options td:nth-child(4) { white-space: normal; text-align: left; }
  .absence { border-color: var(--line); }
  .absences { padding-left: 1.2em; }
  .absences li { margin: 4px 0; }
  .urgent-form .check { grid-column: 2; font-weight: 400; }

  /* Phone: the day as a list, the timeline is unreadable below 600 px. */
  .day-list { display: none; }
  .dl-tech { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 4px 10px; }
  .dl-tech h3 { font-size: 1rem; margin: 6px 0; }
  .dl-count { font-weight: 400; color: var(--muted); font-size: .85rem; }
  .dl-tech ol { list-style: none; margin: 0; padding: 0; }
  .dl-visit { display: flex; gap: 8px; width: 100%; text-align: left; border: none; border-top: 1px solid #eef0f3; border-radius: 0; padding: 6px 0; background: none; }
  .dl-visit.selected { background: #eef2f7; }
  .dl-visit.changed .dl-time { outline: 3px dashed var(--ink); }
  .dl-time { flex: none; font-weight: 700; padding: 2px 6px; border-radius: 4px; height: fit-content; }
  @media (max-width: 600px) {
    main { padding: 10px 10px 30px; }
    h1 { font-size: 1.15rem; }
    .timeline, .tl-help, .details-wide { display: none; }
    .day-list .details { margin: 4px 0 8px; }
    .day-list { display: block; }
    .leaflet-map { height: 320px; }
    .urgent-form { grid-template-columns: 1fr; }
    .urgent-form .check { grid-column: auto; }
    .ua-card { max-width: none; width: 100%; }
    /* The day's totals with a proposal (four columns) were 8 px too wide for 390 px: tighter cells. */
    table.totals th, table.totals td { padding: 4px 6px; }
    /* Five columns do not fit 390 px: each technician's row becomes a card, its figures labelled, no sideways scrolling. */
    table.loads, table.loads tbody, table.loads tr, table.loads th, table.loads td { display: block; }
    table.loads { background: none; }
    table.loads thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
    table.loads tr { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 2px 8px; background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 6px 10px; }
    table.loads th[scope="row"], table.loads td { border: none; padding: 0; white-space: normal; text-align: left; }
    table.loads th[scope="row"] { grid-column: 1 / -1; }
    table.loads td::before { content: attr(data-short); display: block; font-size: .75rem; color: var(--muted); }
  }
`;
