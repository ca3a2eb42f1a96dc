import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessaging, type Messaging } from '../../src/domain/messages/messaging.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';
import { drainOutbox } from '../helpers/outbox.js';
import { startSmtpSink } from './smtp.js';

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;

function calendarOf(mail: { attachments: { filename?: string; content: Buffer; contentType: string }[] }) {
  const ics = mail.attachments.find((a) => a.filename?.endsWith('.ics'));
  if (!ics) throw new Error('no .ics attachment');
  const text = ics.content.toString('utf8');
  const component = new ICAL.Component(ICAL.parse(text));
  const event = component.getFirstSubcomponent('vevent')!;
  return { text, component, event };
}

describe('e-mails to customers', () => {
  let t: TestApp;
  let sink: Sink;
  let messaging: Messaging;
  let dataDir: string;
  let now = new Date('2026-03-25T07:00:00Z');

  beforeAll(async () => {
    t = await createTestApp();
    sink = await startSmtpSink();
    dataDir = await mkdtemp(join(tmpdir(), 'tournee-mail-'));
    messaging = createMessaging(t.testDb.handle.db, {
      smtpUrl: sink.url,
      dataDir,
      publicUrl: 'http://tournee.test',
      allowPrivateWebhooks: true,
      clock: () => now,
    });
  });
  afterAll(async () => {
    await messaging?.close();
    await sink?.close();
    await t?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const drain = () => drainOutbox(messaging);

  async function bookOne(postcode: string, dayIndex: number, overrides: Record<string, unknown> = {}) {
    const service = await firstService(t.app, 'depannage');
    const days = await slotsFor(t.app, service.id, postcode);
    const window = days[dayIndex]!.windows[0]!;
    const res = await book(t.app, bookingPayload(service.id, window, postcode, overrides));
    expect(res.statusCode).toBe(201);
    return res.json() as {
      booking: { id: string; reference: string; window: { start: string; end: string } };
      manageUrl: string;
    };
  }

  it('confirms a booking in French with the window in words, a text and an HTML part and an invitation', async () => {
    const booked = await bookOne('69003', 1);
    await drain();
    const mail = sink.mails.at(-1)!;
    expect(sink.mails).toHaveLength(1);
    expect(mail.to && 'value' in mail.to ? mail.to.value[0]!.address : '').toBe('marie.dubois@example.fr');
    expect(mail.subject).toMatch(/^Rendez-vous confirmé : \w+ \d+ \w+, entre \d+ h( \d\d)? et \d+ h/);
    expect(mail.text).toContain(booked.booking.reference);
    expect(mail.text).toContain('12 rue Victor Hugo, 69003 Lyon');
    expect(mail.text).toContain(booked.manageUrl);
    expect(mail.html).toContain(booked.manageUrl);
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@tournee\.test>$/);
    expect(mail.date).toBeInstanceOf(Date);
    // Transactional: no unsubscribe header.
    expect(mail.headers.has('list-unsubscribe')).toBe(false);

    const { text, component, event } = calendarOf(mail);
    // The invitation once as the text/calendar alternative and once as a file (nodemailer attaches
    // the icalEvent itself; until 2026-12-02 a second copy, invite.ics, came with ours).
    expect(mail.attachments.filter((a) => a.filename?.endsWith('.ics')).map((a) => a.filename)).toEqual([
      'rendez-vous.ics',
    ]);
    expect(component.getFirstPropertyValue('method')).toBe('REQUEST');
    const start = (event.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate();
    const end = (event.getFirstPropertyValue('dtend') as ICAL.Time).toJSDate();
    expect(start.getTime()).toBe(Date.parse(booked.booking.window.start));
    expect(end.getTime()).toBe(Date.parse(booked.booking.window.end));
    expect(event.getFirstPropertyValue('sequence')).toBe(0);
    expect(String(event.getFirstPropertyValue('organizer'))).toMatch(/^mailto:noreply@tournee\.test$/i);
    expect(String(event.getFirstPropertyValue('attendee'))).toMatch(/^mailto:marie\.dubois@example\.fr$/i);
    expect(String(event.getFirstPropertyValue('description'))).toContain(booked.manageUrl);
    const alarm = event.getFirstSubcomponent('valarm')!;
    const trigger = alarm.getFirstPropertyValue('trigger') as ICAL.Time;
    // 18:00 Paris the evening before the window.
    expect(trigger.toJSDate().getTime()).toBeLessThan(start.getTime());
    expect(start.getTime() - trigger.toJSDate().getTime()).toBeLessThan(24 * 3_600_000);
    expect(text).toContain('RSVP=FALSE');

    // The trace on the visit, without the manage link kept anywhere.
    const trace = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/visits/${booked.booking.id}/messages`,
      headers: bearer(t.tokens.agent),
    });
    expect(trace.statusCode).toBe(200);
    expect(
      trace.json().messages.map((m: { kind: string; status: string }) => `${m.kind}:${m.status}`),
    ).toEqual(['confirmation:sent']);
    const stored = await t.testDb.handle.db
      .selectFrom('messages')
      .select('payload')
      .where('aggregate_id', '=', booked.booking.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain(booked.manageUrl.split('#')[1]!);
    const outbox = await t.testDb.handle.db
      .selectFrom('outbox')
      .select('private_payload')
      .where('aggregate_id', '=', booked.booking.id)
      .execute();
    expect(outbox.every((o) => o.private_payload === null)).toBe(true);
  });

  it('sends the change with SEQUENCE up and the cancellation with METHOD:CANCEL, in English for locale en', async () => {
    const booked = await bookOne('69007', 2, { locale: 'en' });
    const token = booked.manageUrl.split('#')[1]!.split('.')[1]!;
    const service = await firstService(t.app, 'depannage');
    const days = await slotsFor(t.app, service.id, '69007');
    const target = days[3]!.windows.at(-1)!;
    const moved = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${booked.booking.id}/reschedule`,
      headers: { 'x-manage-token': token },
      payload: { window: target },
    });
    expect(moved.statusCode).toBe(200);
    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${booked.booking.id}/cancel`,
      headers: { 'x-manage-token': token },
    });
    expect(cancelled.statusCode).toBe(200);
    const before = sink.mails.length;
    await drain();
    // Deliveries run side by side: put them back in the order of their calendar SEQUENCE.
    const mine = sink.mails
      .slice(before)
      .filter((m) => m.text?.includes(booked.booking.reference))
      .sort(
        (a, b) =>
          Number(calendarOf(a).event.getFirstPropertyValue('sequence')) -
          Number(calendarOf(b).event.getFirstPropertyValue('sequence')),
      );
    expect(mine.map((m) => m.subject!.replace(/[:(].*$/, '').trim())).toEqual([
      'Appointment confirmed',
      'Appointment changed',
      'Appointment cancelled',
    ]);
    const [confirmation, change, cancellation] = mine.map(calendarOf);
    const uid = confirmation!.event.getFirstPropertyValue('uid');
    expect(change!.event.getFirstPropertyValue('uid')).toBe(uid);
    expect(cancellation!.event.getFirstPropertyValue('uid')).toBe(uid);
    expect(change!.component.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(Number(change!.event.getFirstPropertyValue('sequence'))).toBeGreaterThan(0);
    expect((change!.event.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().getTime()).toBe(
      Date.parse(target.start),
    );
    expect(cancellation!.component.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(cancellation!.event.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(Number(cancellation!.event.getFirstPropertyValue('sequence'))).toBeGreaterThan(
      Number(change!.event.getFirstPropertyValue('sequence')),
    );
    expect(mine[1]!.text).toMatch(/New window: \w+ \d+ \w+, between \d\d:\d\d and \d\d:\d\d/);
  });

  it('sends nothing to a desk booking without an e-mail, and says so on the visit', async () => {
    const service = await firstService(t.app, 'depannage');
    const days = await slotsFor(t.app, service.id, '69003');
    const payload = bookingPayload(service.id, days[4]!.windows[0]!, '69003', {
      customer: { name: 'Jean Morel', phone: '06 98 76 54 32' },
      channel: 'phone',
    });
    const res = await book(t.app, payload, { headers: bearer(t.tokens.agent), pow: false });
    expect(res.statusCode).toBe(201);
    const before = sink.mails.length;
    await drain();
    expect(sink.mails.length).toBe(before);
    const trace = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/visits/${res.json().booking.id}/messages`,
      headers: bearer(t.tokens.agent),
    });
    expect(trace.json().messages).toMatchObject([
      { kind: 'confirmation', status: 'skipped', lastError: 'no e-mail address' },
    ]);
  });

  it('reminds the day before at the company’s hour, not a visit cancelled the day before, not twice', async () => {
    const kept = await bookOne('69006', 1);
    const dropped = await bookOne('69006', 1, {
      customer: { name: 'Luc Petit', phone: '06 11 22 33 44', email: 'luc.petit@example.fr' },
    });
    await drain();
    const day = kept.booking.window.start.slice(0, 10);
    expect(dropped.booking.window.start.slice(0, 10)).toBe(day);
    // The evening before, at 17:59 Paris: too early (reminder hour 18 by default).
    const eve = new Date(Date.parse(`${day}T00:00:00+01:00`) - 6 * 3_600_000 - 60_000);
    now = eve;
    // Cancelled the day before, by the desk.
    const cancel = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${dropped.booking.id}/cancel`,
      headers: bearer(t.tokens.agent),
    });
    expect(cancel.statusCode).toBe(200);
    const before = sink.mails.length;
    await drain();
    expect(sink.mails.slice(before).filter((m) => m.subject?.startsWith('Rappel'))).toHaveLength(0);
    now = new Date(eve.getTime() + 30 * 60_000); // 18:29
    await drain();
    now = new Date(eve.getTime() + 90 * 60_000); // and again later: no second reminder
    await drain();
    const reminders = sink.mails.slice(before).filter((m) => m.subject?.startsWith('Rappel'));
    // Other tests' visits fall on that day too: count this test's two.
    expect(reminders.filter((m) => m.text?.includes(kept.booking.reference))).toHaveLength(1);
    expect(reminders.filter((m) => m.text?.includes(dropped.booking.reference))).toHaveLength(0);
    expect(reminders.find((m) => m.text?.includes(kept.booking.reference))!.subject).toMatch(
      /^Rappel : votre rendez-vous demain, entre \d+ h/,
    );
  });

  it('sends reminders from the hour the admin sets (PATCH /v1/admin/settings reminderHour)', async () => {
    const patch = (body: object) =>
      t.app.inject({
        method: 'PATCH',
        url: '/v1/admin/settings',
        headers: bearer(t.tokens.admin),
        payload: body,
      });
    const late = await patch({ reminderHour: 20 });
    expect(late.statusCode).toBe(200);
    expect(late.json().reminderHour).toBe(20);
    expect((await patch({ reminderHour: 24 })).json().field).toBe('body.reminderHour');
    try {
      const booked = await bookOne('69006', 2, {
        customer: { name: 'Paul Girard', phone: '06 22 33 44 55', email: 'paul.girard@example.fr' },
      });
      await drain();
      const day = booked.booking.window.start.slice(0, 10);
      const midnight = DateTime.fromISO(day, { zone: 'Europe/Paris' }).toMillis();
      const mine = () =>
        sink.mails.filter(
          (m) => m.subject?.startsWith('Rappel') && m.text?.includes(booked.booking.reference),
        );
      now = new Date(midnight - 4 * 3_600_000 - 30 * 60_000); // 19:30 the evening before
      await drain();
      expect(mine()).toHaveLength(0);
      now = new Date(midnight - 4 * 3_600_000 + 5 * 60_000); // 20:05
      await drain();
      expect(mine()).toHaveLength(1);
    } finally {
      expect((await patch({ reminderHour: 18 })).statusCode).toBe(200);
    }
  });

  it('asks for a rating on D+2 after the visit was done, once, and stores the answer from the page', async () => {
    now = new Date('2026-03-25T07:00:00Z');
    const booked = await bookOne('69003', 5, {
      customer: { name: 'Anne Roux', phone: '06 55 44 33 22', email: 'anne.roux@example.fr' },
    });
    await drain();
    const done = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/visits/${booked.booking.id}/done`,
      headers: bearer(t.tokens.planner),
    });
    expect(done.statusCode).toBe(200);
    const before = sink.mails.length;
    now = new Date('2026-03-26T09:30:00Z'); // D+1: nothing yet
    await drain();
    expect(sink.mails.length).toBe(before);
    now = new Date('2026-03-27T09:30:00Z'); // D+2 at 10:30 Paris
    await drain();
    const surveys = sink.mails.slice(before);
    expect(surveys).toHaveLength(1);
    const survey = surveys[0]!;
    expect(survey.subject).toContain('Votre avis');
    // Header lines unfolded (long headers wrap over several lines).
    const raw = sink.raw.at(-1)!.replace(/\r?\n[ \t]+/g, ' ');
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(raw).toMatch(/^List-Unsubscribe: <http:\/\/tournee\.test\/unsubscribe\?t=[\w.-]+>/m);
    const links = [
      ...(survey.text ?? '').matchAll(/http:\/\/tournee\.test(\/satisfaction\?t=[^\s&]+&note=(\d))/g),
    ];
    expect(links.map((l) => l[2])).toEqual(['1', '2', '3', '4', '5']);
    const four = links[3]![1]!;
    const pageRes = await t.app.inject({ method: 'GET', url: four });
    expect(pageRes.statusCode).toBe(200);
    expect(pageRes.body).toContain('value="4" required checked');
    // Another first character of the visit id (a '0' replaced by '0' would be no forgery: 1 in 16 runs).
    const forgedUrl = four.replace(/t=([0-9a-f])/, (_m, c: string) => `t=${c === '0' ? '1' : '0'}`);
    const forged = await t.app.inject({ method: 'GET', url: forgedUrl });
    expect(forged.statusCode).toBe(404);
    const tokenValue = new URL('http://x' + four).searchParams.get('t')!;
    const answer = () =>
      t.app.inject({
        method: 'POST',
        url: '/satisfaction',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          t: tokenValue,
          note: '4',
          comment: 'Ponctuel et soigneux',
        }).toString(),
      });
    expect((await answer()).statusCode).toBe(201);
    expect((await answer()).statusCode).toBe(409);
    const stats = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/satisfaction?from=2026-03-01&to=2026-04-01',
      headers: bearer(t.tokens.planner),
    });
    expect(stats.json()).toMatchObject({ count: 1, mean: 4, distribution: { '1': 0, '4': 1, '5': 0 } });
    // D+7: answered, so no follow-up.
    now = new Date('2026-04-01T09:30:00Z');
    await drain();
    expect(sink.mails.length).toBe(before + 1);
  });
  it('inside the 24 h change cut-off, the confirmation gives the phone instead of a manage link that would refuse', async () => {
    now = new Date('2026-03-25T07:00:00Z');
    const service = await firstService(t.app, 'depannage');
    const window = (await slotsFor(t.app, service.id, '69003'))[0]!.windows.at(-1)!;
    // The first day offered is today (two hours' notice for a breakdown): hours away, inside the cut-off.
    expect(Date.parse(window.start) - now.getTime()).toBeLessThan(24 * 3_600_000);
    const res = await book(t.app, bookingPayload(service.id, window, '69003'));
    expect(res.statusCode).toBe(201);
    const booked = res.json() as { booking: { reference: string }; manageUrl: string };
    await drain();
    const mail = sink.mails.find((m) => m.subject?.includes(booked.booking.reference))!;
    expect(mail.subject).toMatch(/^Rendez-vous confirmé/);
    for (const body of [mail.text ?? '', String(mail.html)]) {
      expect(body).toContain('il ne peut plus être modifié ni annulé en ligne');
      expect(body).toContain('04 78 00 12 34');
      expect(body).not.toContain(booked.manageUrl);
      expect(body).not.toContain('Modifier ou annuler');
    }
    const { event } = calendarOf(mail);
    expect(String(event.getFirstPropertyValue('description'))).not.toContain('/manage#');
  });
});
