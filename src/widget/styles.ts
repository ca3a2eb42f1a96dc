/**
 * The widget's only stylesheet, adopted by its shadow root. `all: initial` on
 * the root inside the shadow cuts every property inherited from the page (on
 * :host it would lose to any page rule aimed at the element, even `*`), so the
 * host site's fonts, colours and resets cannot leak in; the shadow boundary
 * keeps these rules from leaking out. Theme colours come from custom properties, which do
 * cross the boundary on purpose.
 */
const CSS = `
:host{display:block}
:host([hidden]){display:none}
.root{all:initial;display:block;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;color:#1d2430;--a:var(--tournee-accent,#0b5cad);--ac:var(--tournee-accent-contrast,#fff)}
*,*::before,*::after{box-sizing:border-box}
.tb{background:#fff;border:1px solid #d0d5dd;border-radius:12px;padding:20px;max-width:40rem}
h2,h3{margin:0 0 4px;line-height:1.25;color:#101828}
h2{font-size:1.3rem}
h3{font-size:1.1rem;margin:12px 0 8px}
h3:focus{outline:none}
h3:focus-visible{outline:3px solid var(--a);outline-offset:2px}
p{margin:0 0 8px}
a{color:var(--a)}
:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.muted{color:#475467;font-size:.9rem}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.hp{position:absolute;left:-9999px;top:0;width:1px;height:1px;overflow:hidden}
.alert{background:#fef3f2;border:1px solid #d92d20;color:#7a271a;padding:10px 12px;border-radius:8px;margin:8px 0}
.info{background:#f2f4f7;border-radius:8px;padding:12px;margin:8px 0}
fieldset{border:0;padding:0;margin:0;min-width:0}
legend{font-weight:600;padding:0;margin:0 0 6px}
.field{margin:12px 0}
.field label{display:block;font-weight:600;margin-bottom:4px}
.hint{color:#475467;font-size:.875rem;margin:0 0 4px}
.err{color:#b42318;font-size:.9rem;margin:4px 0 0}
input,textarea{font:inherit;color:inherit;background:#fff;width:100%;min-height:44px;padding:8px 10px;border:1px solid #667085;border-radius:8px}
textarea{min-height:80px;resize:vertical}
[aria-invalid=true]{border-color:#d92d20;box-shadow:0 0 0 1px #d92d20}
input[type=radio],input[type=checkbox]{width:22px;height:22px;min-height:0;margin:1px 0 0;flex:none;accent-color:var(--a)}
.choice{display:flex;gap:10px;align-items:flex-start;border:1px solid #d0d5dd;border-radius:10px;padding:12px;margin:8px 0;cursor:pointer}
.choice:has(input:checked){border-color:var(--a);box-shadow:0 0 0 1px var(--a)}
.choice strong{display:block}
.price{font-weight:600;color:#101828}
.check{display:flex;gap:10px;align-items:flex-start;margin:12px 0;cursor:pointer}
.days{display:grid;grid-template-columns:repeat(auto-fill,minmax(84px,1fr));gap:8px;margin:8px 0 16px}
.day{font:inherit;display:flex;flex-direction:column;align-items:center;gap:0;min-height:64px;padding:6px;border:1px solid #98a2b3;border-radius:10px;background:#fff;color:#1d2430;cursor:pointer;line-height:1.2}
.day b{font-size:1.25rem}
.day small{font-size:.8rem}
.day[aria-selected=true]{background:var(--a);border-color:var(--a);color:var(--ac)}
.pager{display:flex;justify-content:space-between;margin:-8px 0 12px}
.pager [aria-disabled=true]{color:#98a2b3;text-decoration:none;cursor:default}
.first{font-weight:600}
.here{margin:0 0 8px;padding-left:1.2em}
.here li{margin:2px 0}
.not-here{display:block;color:#b54708}
.windows{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:8px}
.tel{white-space:nowrap}
.windows .choice{margin:0;align-items:center;font-variant-numeric:tabular-nums;white-space:nowrap}
.summary{background:#f2f4f7;border-radius:10px;padding:10px 12px;margin:8px 0}
.summary p{margin:0}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:12px;margin-top:16px}
.btn{font:inherit;font-weight:600;min-height:44px;padding:10px 18px;border-radius:10px;border:2px solid var(--a);background:var(--a);color:var(--ac);cursor:pointer;text-decoration:none;display:inline-flex;align-items:center}
.btn.ghost{background:#fff;color:var(--a)}
.btn[aria-disabled=true]{opacity:.7;cursor:progress}
.link{font:inherit;background:none;border:0;padding:2px 4px;min-height:24px;color:var(--a);text-decoration:underline;cursor:pointer}
.loading{display:grid;grid-template-columns:repeat(auto-fill,minmax(84px,1fr));gap:8px;margin:8px 0}
.loading span{height:64px;border-radius:10px;background:#eaecf0;animation:pulse 1.2s ease-in-out infinite}
@keyframes pulse{50%{opacity:.5}}
@media (prefers-reduced-motion:reduce){.loading span{animation:none}}
dl{margin:8px 0}
dt{color:#475467;font-size:.9rem}
dd{margin:0 0 8px;font-weight:600;overflow-wrap:anywhere}
.tb{container-type:inline-size}
@container (min-width:480px){dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{font-size:1rem}dd{margin:0}}
`;

let shared: CSSStyleSheet | undefined;

/** Constructable stylesheets need no inline <style> (CSP-friendly) and are parsed once for every widget on the page. */
export function adoptStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    shared ??= new CSSStyleSheet();
    if (!shared.cssRules.length) shared.replaceSync(CSS);
    root.adoptedStyleSheets = [shared];
    return;
  }
  const style = document.createElement('style');
  style.textContent = CSS;
  root.append(style);
}
