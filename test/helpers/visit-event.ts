import type { VisitEventData } from '../../src/domain/outbox/visit-events.js';

/** A booked visit as its events carry it (what e-mails and invitations are made from). */
export const visitEvent = (overrides: Partial<VisitEventData> = {}): VisitEventData => ({
  id: '0b6f5c3e-1234-4abc-8def-0123456789ab',
  reference: 'DE-ABC123',
  status: 'booked',
  version: 3,
  locale: 'fr',
  service: { id: 's', name: 'Dépannage électrique', priceLabel: '89 € TTC' },
  window: { start: '2026-12-02T10:00:00+01:00', end: '2026-12-02T12:00:00+01:00' },
  planned: { start: '2026-12-02T10:00:00+01:00', end: '2026-12-02T11:00:00+01:00', technicianId: 't' },
  address: { line: '12 rue de la République', postcode: '69003', city: 'Lyon' },
  customer: { name: 'Jeanne Martin', phone: '+33600000000', email: 'jeanne@example.org' },
  channel: 'web',
  ...overrides,
});
