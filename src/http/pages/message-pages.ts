/** Small server-rendered pages around messages: the survey, unsubscribe, and /dev/mail. No script. */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string, lang: 'fr' | 'en' = 'fr'): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;background:#f5f6f8;color:#1a1a1a}
main{max-width:560px;margin:0 auto;padding:24px 16px}
h1{font-size:1.4rem}
.card{background:#fff;border:1px solid #dde1e6;border-radius:10px;padding:20px}
fieldset{border:none;padding:0;margin:0 0 16px;display:flex;gap:8px;flex-wrap:wrap}
legend{margin-bottom:8px;font-weight:600}
.rate input{position:absolute;opacity:0}
.rate label{display:inline-block;min-width:48px;padding:12px 0;text-align:center;border:2px solid #0b5cad;border-radius:8px;color:#0b5cad;font-size:1.2rem;cursor:pointer}
.rate input:checked+label{background:#0b5cad;color:#fff}
.rate input:focus-visible+label{outline:3px solid #f0a500;outline-offset:2px}
textarea{width:100%;box-sizing:border-box;min-height:96px;font:inherit;padding:8px;border:1px solid #8a94a0;border-radius:6px}
button{margin-top:16px;padding:12px 20px;font:inherit;font-weight:600;background:#0b5cad;color:#fff;border:none;border-radius:8px;cursor:pointer}
.muted{color:#555}
table{border-collapse:collapse;width:100%}
td,th{padding:6px 8px;border-bottom:1px solid #dde1e6;text-align:left;vertical-align:top;font-size:.95rem}
iframe{width:100%;height:520px;border:1px solid #dde1e6;border-radius:6px;background:#fff}
@media (max-width:600px){.mails thead{display:none}.mails tr{display:block;padding:8px 0;border-bottom:1px solid #dde1e6}.mails td{display:block;border:none;padding:2px 0;overflow-wrap:anywhere}}
pre{white-space:pre-wrap;background:#fff;border:1px solid #dde1e6;padding:12px;border-radius:6px;font-size:.85rem}
</style></head><body><main>${body}</main></body></html>`;
}
