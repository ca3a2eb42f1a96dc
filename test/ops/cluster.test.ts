import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../benchmarks/lib/cluster.js';
import {
  bookingIntegrity,
  missingBookings,
  mixedTraffic,
  type Combo,
} from '../../benchmarks/lib/cluster-traffic.js';
import { loadScenario } from '../../benchmarks/lib/service.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';

const url = process.env.DATABASE_URL;
const schema = `cluster_${process.pid}`;

/**
 * The deployment of deploy/haproxy.cfg with three instances on one PostgreSQL: a crash and a rolling
 * restart under traffic. Needs PostgreSQL (several processes share it) and Debian's haproxy.
 */
describe.skipIf(!url)('three instances behind HAProxy', () => {
  let handle: DatabaseHandle;
  let cluster: Cluster;
  let combos: Combo[];
  beforeAll(async () => {
    ({ handle } = await loadScenario(url!, 'S', schema));
    const services = await handle.db.selectFrom('services').select('id').where('active', '=', true).execute();
    const postcodes = ['69001', '69003', '69100', '69200'];
    combos = services.flatMap((s) => postcodes.map((postcode) => ({ serviceId: s.id, postcode })));
    cluster = await startCluster({
      databaseUrl: url!,
      schema,
      instances: 3,
      env: {
        TOURNEE_POW_DIFFICULTY: '0',
        TOURNEE_RATE_LIMIT: '100000000',
        TOURNEE_DB_POOL_SIZE: '4',
        LOG_LEVEL: 'error',
      },
    });
  }, 600_000);
  afterAll(async () => {
    await cluster?.stop();
    await handle?.close();
    const admin = await openDatabase({ url: url! });
    await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(admin.db);
    await admin.close();
  });

  // A test that fails midway (the kill test's instance still down) must not fail the next one.
  afterEach(async () => {
    for (let i = 0; i < (cluster?.instances.length ?? 0); i++)
      if (!cluster.instances[i]) await cluster.start(i);
  }, 120_000);

  it('an instance killed among bookings: clients retrying with their Idempotency-Key book once, no double booking', async () => {
    // Half the requests are bookings. The kill comes once 10 are made (the instance has been answering),
    // and the traffic goes on until the two that remain have booked 20 more, begun after the kill:
    // counted, not timed, so a slow host only takes longer. The limits (bookings tried after the
    // kill, seconds) only stop a cluster that does not book, and the count below then says so.
    const NEEDED_AFTER_KILL = 20;
    const MAX_TRIED_AFTER_KILL = 400;
    const progress = { requests: 0, booked: 0, servedBy: {} as Record<string, number> };
    let killedAt = Infinity;
    let bookedAfterKill = 0;
    let triedAfterKill = 0;
    let trafficEnded = false;
    const traffic = mixedTraffic({
      baseUrl: cluster.baseUrl,
      combos,
      clients: 4,
      seconds: 240,
      onBooking: (b) => {
        if (b.startedAt <= killedAt) return;
        triedAfterKill++;
        if (b.status === 201) bookedAfterKill++;
      },
      until: () => bookedAfterKill >= NEEDED_AFTER_KILL || triedAfterKill >= MAX_TRIED_AFTER_KILL,
      retries: 4,
      bookEvery: 2,
      tag: 'kill',
      progress,
    }).finally(() => (trafficEnded = true));
    while (progress.booked < 10 && !trafficEnded) await new Promise((r) => setTimeout(r, 5));
    expect(progress.booked, 'bookings made before the kill').toBeGreaterThanOrEqual(10);
    const victim = cluster.names[1]!;
    const answeredBeforeKill = progress.servedBy[victim] ?? 0;
    killedAt = performance.now();
    await cluster.kill(1);
    const result = await traffic;
    expect(answeredBeforeKill).toBeGreaterThan(0);
    const after = result.bookings.filter((b) => b.startedAt > killedAt);
    expect(
      after.filter((b) => b.status === 201).length,
      `bookings begun after the kill and answered 201, of ${after.length} tried in ${result.seconds.toFixed(0)} s ` +
        `(final statuses of all bookings: ${JSON.stringify(result.bookingStatuses)})`,
    ).toBeGreaterThanOrEqual(NEEDED_AFTER_KILL);
    // Nothing begun after the kill was answered by the dead instance.
    expect(after.filter((b) => b.servedBy.includes(victim))).toEqual([]);
    expect(result.failureSamples).toEqual([]);
    expect(await bookingIntegrity(handle, 'kill')).toEqual({ double_bookings: 0, booked_twice: 0 });
    // Every acknowledged booking is in the table.
    expect(await missingBookings(handle, 'kill', result.booked)).toBe(0);
  }, 300_000);

  it('a rolling restart of every instance fails no request, with clients that never retry', async () => {
    const pidsBefore = cluster.instances.map((i) => i!.process.pid);
    let restarting = true;
    const outBeforeExit: boolean[] = [];
    const restarts = (async () => {
      try {
        for (let i = 0; i < 3; i++) outBeforeExit.push((await cluster.restart(i)).outBeforeExit);
      } finally {
        restarting = false;
      }
    })();
    const result = await mixedTraffic({
      baseUrl: cluster.baseUrl,
      combos,
      clients: 4,
      seconds: 600,
      until: () => !restarting,
      retries: 0,
      bookEvery: 3,
      tag: 'rolling',
    });
    await restarts;
    // Each instance was replaced by a new process, after the balancer had taken it out (its /ready
    // answered 503 while it drained), and traffic flowed all along.
    expect(new Set(cluster.instances.map((i) => i!.process.pid)).size).toBe(3);
    for (const pid of pidsBefore) expect(cluster.instances.map((i) => i!.process.pid)).not.toContain(pid);
    expect(outBeforeExit).toEqual([true, true, true]);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.failureSamples).toEqual([]);
    expect(await bookingIntegrity(handle, 'rolling')).toEqual({ double_bookings: 0, booked_twice: 0 });
  }, 600_000);
});
