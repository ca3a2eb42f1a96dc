import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../benchmarks/lib/cluster.js';
import { bookingIntegrity, mixedTraffic, type Combo } from '../../benchmarks/lib/cluster-traffic.js';
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

  it('an instance killed mid-traffic: clients retrying with their Idempotency-Key book once, no double booking', async () => {
    const traffic = mixedTraffic({
      baseUrl: cluster.baseUrl,
      combos,
      clients: 4,
      seconds: 6,
      retries: 4,
      bookEvery: 3,
      tag: 'kill',
    });
    await new Promise((r) => setTimeout(r, 2000));
    await cluster.kill(1);
    const result = await traffic;
    expect(result.booked.length).toBeGreaterThan(0);
    expect(result.failureSamples).toEqual([]);
    expect(await bookingIntegrity(handle, 'kill')).toEqual({ double_bookings: 0, booked_twice: 0 });
    // Every acknowledged booking is in the table.
    const rows = await handle.db
      .selectFrom('visits')
      .select('notes')
      .where(
        'notes',
        'in',
        result.booked.map((k) => `kill ${k}`),
      )
      .execute();
    expect(rows.length).toBe(result.booked.length);
    await cluster.start(1);
  }, 300_000);

  it('a rolling restart of every instance fails no request, with clients that never retry', async () => {
    let restarting = true;
    const restarts = (async () => {
      for (let i = 0; i < 3; i++) await cluster.restart(i);
      restarting = false;
    })();
    let requests = 0;
    const failures: string[] = [];
    while (restarting) {
      const r = await mixedTraffic({
        baseUrl: cluster.baseUrl,
        combos,
        clients: 4,
        seconds: 1,
        retries: 0,
        bookEvery: 3,
        tag: 'rolling',
      });
      requests += r.requests;
      failures.push(...r.failureSamples);
    }
    await restarts;
    expect(requests).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(await bookingIntegrity(handle, 'rolling')).toEqual({ double_bookings: 0, booked_twice: 0 });
  }, 600_000);
});
