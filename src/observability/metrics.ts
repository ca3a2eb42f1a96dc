/**
 * The service's Prometheus metrics, in one registry. A leaf module: http, domain and db record into
 * it without importing each other. Label values are bounded (route templates, status codes, reason
 * codes), never URLs, ids or personal data.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

let processMetrics = false;
/**
 * Process CPU, memory, GC and event-loop lag (nodejs_eventloop_lag_*), for the instance that serves
 * /metrics. Started by the server, not at import: the event-loop monitor wakes its process every
 * 20 ms, and the outbox process (which imports this module through the db layer and is never
 * scraped) idled at 47.6 wake-ups and 8.8 ms of CPU a second with it, 0.2 and 3.4 without.
 */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequestDuration = new Histogram({
  name: 'tournee_http_request_duration_seconds',
  help: 'HTTP request duration by route template and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const slotAnswers = new Counter({
  name: 'tournee_slot_answers_total',
  help: 'Slot queries answered, by outcome: "offered" or the reason code when none was offered',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const makeRoomDays = new Counter({
  name: 'tournee_make_room_days_total',
  help: 'Days a slot query searched with make-room, by outcome: "opened" (some window found) or "none"',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const makeRoomBookings = new Counter({
  name: 'tournee_make_room_bookings_total',
  help: 'Bookings of make-room windows inside their transaction: "plain" (the window had come free), "moved" (visits moved), "gone"',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const slotCache = new Counter({
  name: 'tournee_slot_cache_total',
  help: 'Slot read cache: "probe" (asked what changed), "probe_reused" (a booking placed on the last answer, asked < 200 ms before and after the last booking or cancellation of this instance), "changed" (technician-days forgotten), "read" (technician-days read from the database), "answer_hit" / "answer_miss" (whole answers), "room_hit" / "room_miss" (make-room searches), "reference_changed" (settings, services, zones, technicians, hours or absences: the slowly-changing reads are forgotten)',
  labelNames: ['event'] as const,
  registers: [registry],
});

export const bookingOutcomes = new Counter({
  name: 'tournee_booking_outcomes_total',
  help: 'Public and desk booking requests by HTTP status (201 booked, 409 window gone, 422, 429, ...)',
  labelNames: ['status_code'] as const,
  registers: [registry],
});

export const bookingPaths = new Counter({
  name: 'tournee_booking_paths_total',
  help: 'How booking requests that got as far as writing were written: "memory" (a public booking placed on the slot reads\' memory, one book_visit call on the snapshot its freshness probe saw), "memory_stale" (book_visit found that memory overtaken; the booking then went one of the ways below), "snapshot" (book_visit on an unlocked read of its own), "stale" (book_visit found that read overtaken and the locked transaction took over), "locked" (the locked transaction from the start: the desk, make-room, a read the memory disagreed with)',
  labelNames: ['path'] as const,
  registers: [registry],
});

export const lockWait = new Histogram({
  name: 'tournee_lock_wait_seconds',
  help: 'Time a write (booking, move, plan apply) waited for its technician-day advisory locks',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  registers: [registry],
});

export const optimiserRuns = new Histogram({
  name: 'tournee_optimiser_run_seconds',
  help: 'Route optimiser runs (planner proposals) by outcome',
  labelNames: ['outcome'] as const,
  buckets: [0.5, 1, 2, 4, 8, 16, 32, 64],
  registers: [registry],
});

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Database pool gauges, read at scrape time from whatever pool the service opened. */
export function watchPool(read: () => PoolStats | undefined): void {
  registry.removeSingleMetric('tournee_db_pool_connections');
  new Gauge({
    name: 'tournee_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting clients)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = read();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
}

/** What waits in the outbox, as its gauges show it (readOutboxBacklog in src/db/outbox.ts reads it). */
export interface OutboxBacklog {
  /** Messages still to deliver (first attempts and retries). */
  pending: number;
  /** Dead-lettered messages (retries exhausted), waiting for a replay in GET /v1/admin/outbox?status=failed. */
  failed: number;
  /** Seconds since the oldest event not yet turned into messages was committed (0: none). */
  undispatchedAgeSeconds: number;
  /** Seconds the oldest due message has waited past its attempt time (0: none overdue). */
  overdueSeconds: number;
}

/**
 * Outbox gauges, read from the database at scrape time: the outbox is shared by every instance, so
 * each reports the same values (aggregate with max). A read that fails leaves them out of the scrape.
 */
export function watchOutbox(read: () => Promise<OutboxBacklog>): void {
  for (const name of ['tournee_outbox_messages', 'tournee_outbox_lag_seconds'])
    registry.removeSingleMetric(name);
  let reading: Promise<OutboxBacklog | undefined> | undefined;
  // A scrape collects every metric at once (Promise.all): both gauges share the read under way.
  const current = () =>
    (reading ??= read()
      .catch(() => undefined)
      .finally(() => (reading = undefined)));
  new Gauge({
    name: 'tournee_outbox_messages',
    help: 'Outbox messages by status: "pending" (to deliver, first attempt or retry), "failed" (dead-lettered after 24 h of retries: replay them from GET /v1/admin/outbox?status=failed)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const backlog = await current();
      if (!backlog) return;
      this.set({ status: 'pending' }, backlog.pending);
      this.set({ status: 'failed' }, backlog.failed);
    },
  });
  new Gauge({
    name: 'tournee_outbox_lag_seconds',
    help: 'Outbox lag: "undispatched" (age of the oldest committed event not yet turned into messages), "overdue" (how long the oldest due message has waited past its attempt time); 0 when nothing waits',
    labelNames: ['stage'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const backlog = await current();
      if (!backlog) return;
      this.set({ stage: 'undispatched' }, backlog.undispatchedAgeSeconds);
      this.set({ stage: 'overdue' }, backlog.overdueSeconds);
    },
  });
}

/** Measures `work` into a histogram with an outcome label ('ok' or 'error'). */
export async function timed<T>(histogram: Histogram<'outcome'>, work: () => Promise<T>): Promise<T> {
  const stop = histogram.startTimer();
  try {
    const result = await work();
    stop({ outcome: 'ok' });
    return result;
  } catch (error) {
    stop({ outcome: 'error' });
    throw error;
  }
}
