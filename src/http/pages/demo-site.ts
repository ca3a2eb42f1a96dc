/**
 * The demo page served at `/`: what Duret Électricité's public website looks
 * like with the booking widget embedded — one module script and one element,
 * exactly what a real site adds. No inline script (the CSP says script-src
 * 'self'); the page's own styles are deliberately opinionated so the demo
 * shows they do not reach inside the widget.
 */

export interface DemoPageOptions {
  phone: string;
  docsUrl: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const HERO = `<div class="hero">
  <div class="bar">
    <h1>Votre électricien à Lyon et dans le Rhône</h1>
    <p>Dépannage, mise en sécurité, bornes de recharge et pompes à chaleur : douze techniciens qualifiés interviennent chez vous, à l’heure annoncée.</p>
    <a href="#rendez-vous">Prendre rendez-vous en ligne</a>
  </div>
</div>
`;

function sitePage(
  { phone, docsUrl }: DemoPageOptions,
  page: { title: string; robots?: string; hero: boolean; main: string },
): string {
  const tel = phone.replace(/[^\d+]/g, '');
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escape(page.title)}</title>${page.robots ? `\n<meta name="robots" content="${page.robots}">` : ''}
<meta name="description" content="Électricien à Lyon et alentours : dépannage, mise aux normes, bornes de recharge, pompes à chaleur. Prenez rendez-vous en ligne.">
<script type="module" src="/widget.js"></script>
<style>
  :root { --ink: #14213d; --brand: #1d4e89; --spark: #f5b700; --paper: #f7f5f0; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 17px/1.6 Georgia, "Times New Roman", serif; color: var(--ink); background: var(--paper); }
  /* Aggressive host styles on purpose: none of them may change the widget. */
  button { font-family: "Comic Sans MS", cursive; text-transform: uppercase; }
  input, label { font-size: 22px; letter-spacing: 2px; }
  h2, h3 { font-family: Georgia, serif; }
  a { color: var(--brand); }
  header { background: var(--ink); color: #fff; }
  .bar { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; }
  .logo { font: 700 1.35rem/1 system-ui, sans-serif; color: #fff; text-decoration: none; }
  .logo span { color: var(--spark); }
  nav a { color: #fff; margin-left: 1rem; font-family: system-ui, sans-serif; font-size: .95rem; }
  .hero { background: linear-gradient(135deg, var(--brand), var(--ink)); color: #fff; }
  .hero .bar { display: block; padding: 3rem 1.25rem; }
  .hero h1 { font-size: clamp(1.8rem, 4vw, 2.8rem); line-height: 1.15; margin: 0 0 .75rem; }
  .hero p { max-width: 40rem; margin: 0 0 1.25rem; }
  .hero a { display: inline-block; background: var(--spark); color: var(--ink); padding: .7rem 1.2rem; border-radius: .4rem; font: 700 1rem system-ui, sans-serif; text-decoration: none; }
  main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
  section { margin: 2.5rem 0; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; list-style: none; padding: 0; }
  .cards li { background: #fff; border-radius: .5rem; padding: 1rem 1.25rem; border-top: 4px solid var(--spark); }
  .cards h3 { margin: 0 0 .25rem; font-size: 1.1rem; }
  .cards p { margin: 0; font-size: .95rem; }
  .price { font-family: system-ui, sans-serif; font-weight: 700; }
  .booking { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2fr); gap: 2rem; align-items: start; }
  @media (max-width: 50rem) { .booking { grid-template-columns: 1fr; } }
  footer { background: var(--ink); color: #d9dde6; }
  footer .bar { align-items: flex-start; }
  footer a { color: #fff; }
  footer p { margin: .25rem 0; }
</style>
</head>
<body>
<header>
  <div class="bar">
    <a class="logo" href="/">Duret <span>Électricité</span></a>
    <nav aria-label="Menu principal"><a href="/#services">Nos services</a><a href="/#rendez-vous">Rendez-vous</a><a href="#contact">Contact</a></nav>
  </div>
</header>
${page.hero ? HERO : ''}<main>${page.main}</main>
<footer id="contact">
  <div class="bar">
    <div>
      <p><strong>Duret Électricité</strong></p>
      <p>Lyon et alentours — du lundi au vendredi, 8 h – 18 h</p>
    </div>
    <div>
      <p>Téléphone : <a href="tel:${escape(tel)}">${escape(phone)}</a></p>
      <p><a href="${escape(docsUrl)}">API et intégration du module de réservation</a></p>
    </div>
  </div>
</footer>
</body>
</html>
`;
}

export function demoPageHtml(options: DemoPageOptions): string {
  const tel = escape(options.phone.replace(/[^\d+]/g, ''));
  const phone = escape(options.phone);
  return sitePage(options, {
    title: 'Duret Électricité — électricien à Lyon, dépannage et installation',
    hero: true,
    main: `
  <section id="services" aria-labelledby="services-title">
    <h2 id="services-title">Nos services</h2>
    <ul class="cards">
      <li><h3>Dépannage électrique</h3><p>Panne, disjoncteur qui saute, prise hors service.</p><p class="price">65 € TTC/h, déplacement 35 € TTC</p></li>
      <li><h3>Mise en sécurité du tableau</h3><p>Diagnostic et remise aux normes NF C 15-100.</p><p class="price">Sur devis, diagnostic 90 € TTC</p></li>
      <li><h3>Borne de recharge</h3><p>Installation IRVE par un installateur qualifié.</p><p class="price">À partir de 1 190 € TTC pose comprise</p></li>
      <li><h3>Pompe à chaleur</h3><p>Entretien annuel obligatoire et réglages.</p><p class="price">149 € TTC, déplacement inclus</p></li>
    </ul>
    <p>Devis gratuit et sans engagement pour tous vos travaux.</p>
  </section>
  <section id="rendez-vous" class="booking" aria-labelledby="booking-title">
    <div>
      <h2 id="booking-title">Prendre rendez-vous</h2>
      <p>Choisissez votre intervention et un créneau d’arrivée de deux heures. Vous recevez aussitôt la confirmation, avec un lien pour l’ajouter à votre agenda ou modifier le rendez-vous.</p>
      <p>Une urgence ? Appelez-nous au <a href="tel:${tel}">${phone}</a>.</p>
    </div>
    <tournee-booking phone="${phone}" accent="#1d4e89"></tournee-booking>
  </section>
`,
  });
}

/** The page behind the manage link of every booking: the same site, the widget in manage mode. */
export function managePageHtml(options: DemoPageOptions): string {
  return sitePage(options, {
    title: 'Mon rendez-vous — Duret Électricité',
    robots: 'noindex',
    hero: false,
    main: `
  <h1>Mon rendez-vous</h1>
  <section aria-label="Gérer mon rendez-vous">
    <tournee-booking manage accent="#1d4e89" phone="${escape(options.phone)}"></tournee-booking>
  </section>
`,
  });
}
