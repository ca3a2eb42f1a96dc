import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database.js';
import { send } from './load.js';
import { summarise } from './stats.js';

/** What one client can ask for: a service at a postcode. */
export interface Combo {
  serviceId: string;
  postcode: string;
}

/** Counts as the traffic goes, for a caller that acts on them (kill an instance after so many bookings). */
export interface TrafficProgress {
  requests: number;
  /** Bookings answered 201 so far. */
  booked: number;
  /** Answers per instance so far (x-served-by). */
  servedBy: Record<string, number>;
}

/** One booking as its client saw it, retries included. */
export interface BookingAttempt {
  idempotencyKey: string;
  /** performance.now() when its first try was sent, and when its final answer came. */
  startedAt: number;
  endedAt: number;
  /** Tries sent with this key (1 without retries). */
  tries: number;
  status: number | 'network';
  /** The instance each try's answer came from (x-served-by), when it came through the balancer. */
  servedBy: string[];
}

export interface TrafficResult {
  /** Every request answered or given up: slot reads, bookings (a booking and its retries count once), cancellations. */
  requests: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Requests that ended without a correct answer, after the client's retries if it retries. */
  failed: number;
  /** Status codes (or "network") of failed requests, to say why. */
  failures: Record<string, number>;
  /** The first few failed answers (status and the start of the body): who answered, the balancer or an instance. */
  failureSamples: string[];
  /** Idempotency keys of bookings answered 201. */
  booked: string[];
  /** Final status of every booking attempted (after retries), to say why few were booked. */
  bookingStatuses: Record<string, number>;
  bookings: BookingAttempt[];
  /** Answers per instance (x-served-by). */
  servedBy: Record<string, number>;
  /** Every request's latency, ms, in the order answered. */
  latencies: number[];
}

/**
 * Mixed traffic: each client mostly reads slots and books one window in `bookEvery`, cancelling its
 * previous booking first (the cancellation is a request of the traffic too) so the company does not
 * fill up. A booking that fails (network error, 502/503/504) is retried with the same Idempotency-Key
 * when `retries` > 0, as a real client does (a cancellation too: cancelling twice is harmless); a 409 (window just taken) or 422 is a correct answer.
 *
 * It stops after `seconds`, or, with `until`, once that says so (asked before each request; `seconds`
 * is then the limit). Each client draws from its own seeded sequence: runs are comparable.
 */
export async function mixedTraffic(options: {
  baseUrl: string;
  combos: Combo[];
  clients: number;
  seconds: number;
  until?: (progress: TrafficProgress) => boolean;
  retries: number;
  /** One request in `bookEvery` is a booking (when the client knows a window for its pick). */
  bookEvery: number;
  /** Tag written into each booking's notes, so the check can find them. */
  tag: string;
  /** Seeds the clients' choices (the same seed, the same sequence of questions). */
  seed?: number;
  progress?: TrafficProgress;
  /** Told each booking's final answer (after its retries) as it comes, before `until` is asked again. */
  onBooking?: (attempt: BookingAttempt) => void;
}): Promise<TrafficResult> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const failureSamples: string[] = [];
  const booked: string[] = [];
  const bookingStatuses: Record<string, number> = {};
  const bookings: BookingAttempt[] = [];
  const progress = options.progress ?? { requests: 0, booked: 0, servedBy: {} };
  const servedBy = progress.servedBy;
  let failed = 0;
  const windows = new Map<string, { start: string; end: string }[]>();
  const fail = (res: { status: number | 'network'; body: string }) => {
    failed++;
    failures[res.status] = (failures[res.status] ?? 0) + 1;
    if (failureSamples.length < 5) failureSamples.push(`${res.status} ${res.body.slice(0, 160)}`);
  };
  const answered = (res: { servedBy?: string }, started: number) => {
    latencies.push(performance.now() - started);
    progress.requests++;
    if (res.servedBy) servedBy[res.servedBy] = (servedBy[res.servedBy] ?? 0) + 1;
  };
  const ok = (status: number | 'network', expected: number[]) =>
    typeof status === 'number' && expected.includes(status);
  const retryable = (status: number | 'network') =>
    status === 'network' || status === 502 || status === 503 || status === 504;

  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const going = () => performance.now() < deadline && !options.until?.(progress);
  const client = async (clientIndex: number) => {
    let seed = (options.seed ?? 11) * 7919 + clientIndex * 104_729;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const toCancel: { id: string; token: string }[] = [];
    for (let i = 0; going(); i++) {
      const bookingTurn = i % options.bookEvery === options.bookEvery - 1;
      let combo = pick(options.combos);
      // A booking turn books a pair whose windows are known (some client read them), not only when
      // the random pick happens to be one: at a few requests per client, that was rarely the case.
      if (bookingTurn && !windows.get(`${combo.serviceId}:${combo.postcode}`)?.length) {
        const known = options.combos.filter((c) => windows.get(`${c.serviceId}:${c.postcode}`)?.length);
        if (known.length > 0) combo = pick(known);
      }
      const key = `${combo.serviceId}:${combo.postcode}`;
      const slotsPath = `/v1/slots?serviceId=${combo.serviceId}&postcode=${combo.postcode}`;
      if (!bookingTurn || !windows.get(key)?.length) {
        const t0 = performance.now();
        const res = await send(options.baseUrl, { method: 'GET', path: slotsPath });
        answered(res, t0);
        if (!ok(res.status, [200])) fail(res);
        else
          windows.set(
            key,
            (
              (JSON.parse(res.body) as { days?: { windows: { start: string; end: string }[] }[] }).days ?? []
            ).flatMap((d) => d.windows),
          );
        continue;
      }
      const made = toCancel.shift();
      if (made) {
        const cancel = () =>
          send(options.baseUrl, {
            method: 'POST',
            path: `/v1/bookings/${made.id}/cancel`,
            headers: { 'x-manage-token': made.token },
          });
        const t0 = performance.now();
        let res = await cancel();
        // Cancelling twice answers the cancelled booking again: as safe to retry as a keyed booking.
        for (let retry = 0; retry < options.retries && retryable(res.status); retry++) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** retry));
          res = await cancel();
        }
        answered(res, t0);
        // 409: too late to change online (a window that starts soon), a correct answer too.
        if (!ok(res.status, [200, 409])) fail(res);
        if (!going()) break;
      }
      // Read after the cancel's await: another client may have dropped this pair's windows meanwhile (a 409).
      const available = windows.get(key);
      if (!available?.length) continue;
      const idempotencyKey = randomUUID();
      const body = {
        serviceId: combo.serviceId,
        window: pick(available),
        customer: { name: 'Client Cluster', phone: '06 12 34 56 78', email: 'cluster@example.fr' },
        address: { line: '1 rue du Test', postcode: combo.postcode, city: 'Lyon' },
        notes: `${options.tag} ${idempotencyKey}`,
        consent: true,
        website: '',
      };
      const book = () =>
        send(options.baseUrl, {
          method: 'POST',
          path: '/v1/bookings',
          headers: { 'idempotency-key': idempotencyKey },
          body,
        });
      const t0 = performance.now();
      let res = await book();
      const attempt: BookingAttempt = {
        idempotencyKey,
        startedAt: t0,
        endedAt: t0,
        tries: 1,
        status: res.status,
        servedBy: res.servedBy ? [res.servedBy] : [],
      };
      for (let retry = 0; retry < options.retries && retryable(res.status); retry++) {
        await new Promise((r) => setTimeout(r, 100 * 2 ** retry));
        res = await book();
        attempt.tries++;
        if (res.servedBy) attempt.servedBy.push(res.servedBy);
      }
      answered(res, t0);
      attempt.endedAt = performance.now();
      attempt.status = res.status;
      bookings.push(attempt);
      options.onBooking?.(attempt);
      bookingStatuses[res.status] = (bookingStatuses[res.status] ?? 0) + 1;
      if (!ok(res.status, [201, 409, 422])) fail(res);
      if (res.status === 409) windows.delete(key);
      if (res.status === 201) {
        booked.push(idempotencyKey);
        progress.booked++;
        const created = JSON.parse(res.body) as { booking: { id: string }; manageUrl?: string };
        // The manage link is /manage#<id>.<token>.
        const token = (created.manageUrl ?? '').split('#')[1]?.split('.')[1] ?? '';
        if (token) toCancel.push({ id: created.booking.id, token });
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  const seconds = (performance.now() - started) / 1000;
  const s = summarise(latencies);
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50_ms: s.p50,
    p99_ms: s.p99,
    failed,
    failures,
    failureSamples,
    booked,
    bookingStatuses,
    bookings,
    servedBy,
    latencies,
  };
}

/** Two booked visits of one technician overlapping, and bookings made twice for one key. */
export async function bookingIntegrity(
  handle: DatabaseHandle,
  tag: string,
): Promise<{ double_bookings: number; booked_twice: number }> {
  const overlaps = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM visits a JOIN visits b
      ON a.technician_id = b.technician_id AND a.id < b.id
     AND a.status = 'booked' AND b.status = 'booked'
     AND tstzrange(a.planned_start, a.planned_end) && tstzrange(b.planned_start, b.planned_end)`.execute(
    handle.db,
  );
  const twice = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (
      SELECT notes FROM visits WHERE notes LIKE ${tag + ' %'} GROUP BY notes HAVING count(*) > 1) AS d`.execute(
    handle.db,
  );
  return { double_bookings: overlaps.rows[0]!.n, booked_twice: twice.rows[0]!.n };
}

/** Of these acknowledged bookings (idempotency keys answered 201), how many are not in the table. */
export async function missingBookings(handle: DatabaseHandle, tag: string, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await handle.db
    .selectFrom('visits')
    .select('notes')
    .where(
      'notes',
      'in',
      keys.map((k) => `${tag} ${k}`),
    )
    .execute();
  return keys.length - new Set(rows.map((r) => r.notes)).size;
}
