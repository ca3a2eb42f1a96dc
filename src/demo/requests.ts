/**
 * The demo desk's morning: a few requests waiting in Claire's queue, as they arrive in a real day
 * (a callback asked from the website, a customer outside the zones, a week with no window left,
 * an e-mail asking for a quote, a regular customer's call). Without them `npm start` opens the
 * desk on an empty queue, and the part of the product Claire uses most shows nothing.
 *
 * Written through the same domain functions as the website and the desk, so each request has its
 * customer, its history line and its `request.created` event, like any other.
 */
import type { Db } from '../db/database.js';
import { createDeskRequest, createPublicRequest } from '../domain/requests/index.js';

const MINUTE = 60_000;

export async function seedDemoRequests(db: Db, now: Date): Promise<number> {
  const services = new Map(
    (await db.selectFrom('services').select(['id', 'slug']).execute()).map((s) => [s.slug, s.id]),
  );
  // A customer the company already knows, so the demo shows a file with visits behind a request.
  const regular = await db
    .selectFrom('customers')
    .innerJoin('visits', 'visits.customer_id', 'customers.id')
    .select('customers.id')
    .groupBy('customers.id')
    .orderBy(({ fn }) => fn.countAll(), 'desc')
    .orderBy('customers.id')
    .limit(1)
    .executeTakeFirst();
  const ago = (minutes: number) => new Date(now.getTime() - minutes * MINUTE);
  const website = { powDifficulty: 0, isStaff: true, actor: 'web' };

  await createPublicRequest(
    db,
    {
      kind: 'out_of_area',
      name: 'Hélène Vasseur',
      phone: '06 71 42 18 90',
      email: 'helene.vasseur@example.fr',
      postcode: '38200',
      serviceId: services.get('borne-recharge') ?? null,
      message: 'Borne de recharge pour une maison à Vienne, garage déjà équipé en 32 A.',
    },
    { ...website, now: ago(160) },
  );
  await createPublicRequest(
    db,
    {
      kind: 'no_window',
      name: 'Marc Rolland',
      phone: '07 68 23 45 01',
      postcode: '69003',
      serviceId: services.get('entretien-pac') ?? null,
      message: 'Aucun créneau avant mon départ vendredi : possible de passer mercredi en fin de journée ?',
      preferredTime: 'mercredi après 16 h',
    },
    { ...website, now: ago(95) },
  );
  await createDeskRequest(
    db,
    {
      kind: 'quote',
      customer: { name: 'Sabine Morel', phone: '04 78 61 20 33', email: 'sabine.morel@example.fr' },
      text: 'Rénovation complète de l’électricité d’un appartement de 70 m² (Lyon 6e), demande un devis avant fin janvier.',
      serviceId: services.get('devis') ?? null,
      postcode: '69006',
      channel: 'email',
    },
    'agent:Claire',
    ago(40),
  );
  await createPublicRequest(
    db,
    {
      kind: 'callback',
      name: 'Thomas Garnier',
      phone: '06 12 98 76 54',
      postcode: '69100',
      message: 'Le disjoncteur saute quand le four et le lave-linge tournent ensemble.',
      preferredTime: 'entre 12 h et 14 h',
    },
    { ...website, now: ago(12) },
  );
  if (regular)
    await createDeskRequest(
      db,
      {
        kind: 'other',
        customerId: regular.id,
        text: 'Appelle pour savoir si le technicien peut aussi regarder la prise du jardin lors de sa prochaine visite.',
        channel: 'phone',
      },
      'agent:Claire',
      ago(5),
    );
  return regular ? 5 : 4;
}
