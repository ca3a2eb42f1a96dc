import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCompanyCalendar, loadTechnicianAvailability } from '../../src/db/availability.js';
import { shiftsFor, toSolverShifts } from '../../src/domain/availability.js';
import { eligibleTechnicians, resolveAddress } from '../../src/domain/eligibility.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase({ demo: true });
});
afterAll(async () => testDb?.destroy());

async function serviceId(slug: string): Promise<string> {
  return (
    await testDb.handle.db
      .selectFrom('services')
      .select('id')
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow()
  ).id;
}

describe('resolveAddress', () => {
  it('maps a postal code to its zone and centroid', async () => {
    const a = await resolveAddress(testDb.handle.db, { postcode: '69003' });
    expect(a).toMatchObject({
      postcode: '69003',
      city: 'Lyon 3e',
      lat: 45.7597,
      lon: 4.8503,
      zoneKind: 'urban',
      precise: false,
    });
    expect(a!.zoneIds).toHaveLength(1);
  });
  it("keeps explicit coordinates and the caller's city", async () => {
    const a = await resolveAddress(testDb.handle.db, {
      postcode: '69100',
      lat: 45.77,
      lon: 4.88,
      city: 'Villeurbanne',
    });
    expect(a).toMatchObject({
      lat: 45.77,
      lon: 4.88,
      precise: true,
      zoneKind: 'periurban',
      city: 'Villeurbanne',
    });
  });
  it('returns null outside every zone', async () => {
    expect(await resolveAddress(testDb.handle.db, { postcode: '75001' })).toBeNull();
  });
});

describe('eligibleTechnicians', () => {
  it('needs every skill of the service and a served zone', async () => {
    const db = testDb.handle.db;
    const address = (await resolveAddress(db, { postcode: '69400' }))!; // Beaujolais
    const irve = await eligibleTechnicians(db, await serviceId('borne-recharge'), address);
    expect(irve.map((t) => t.name)).toEqual(['Thomas Petit']);
    expect(irve[0]!.skills).toEqual(expect.arrayContaining(['irve', 'elec']));
    const depannage = await eligibleTechnicians(db, await serviceId('depannage'), address);
    expect(depannage.map((t) => t.name).sort()).toEqual(['Inès Faure', 'Thomas Petit']);
    expect(depannage.find((t) => t.name === 'Thomas Petit')!.zoneKind).toBe('rural');
  });
  // PGlite prepares nothing; on PostgreSQL the read is a prepared statement whose generic plan is kept.
  it.skipIf(!process.env.DATABASE_URL)('is planned once, not at every read', async () => {
    const address = (await resolveAddress(testDb.handle.db, { postcode: '69400' }))!;
    const service = await serviceId('depannage');
    await testDb.handle.db.connection().execute(async (db) => {
      for (let i = 0; i < 8; i++) expect(await eligibleTechnicians(db, service, address)).toHaveLength(2);
      const { rows } = await sql<{ generic: number; custom: number }>`
        SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements
         WHERE statement LIKE '%t.home_zone_kind%' AND statement NOT LIKE '%pg_prepared_statements%'`.execute(
        db,
      );
      expect(rows).toHaveLength(1);
      // PostgreSQL plans the first five executions on a connection for their parameters, then keeps
      // the generic plan (earlier tests may have read on this connection too).
      expect(rows[0]!.custom).toBeLessThanOrEqual(5);
      expect(rows[0]!.generic).toBeGreaterThanOrEqual(3);
    });
  });
  it('leaves out inactive technicians', async () => {
    const db = testDb.handle.db;
    const address = (await resolveAddress(db, { postcode: '69400' }))!;
    await db.updateTable('technicians').set({ active: false }).where('name', '=', 'Inès Faure').execute();
    try {
      const names = (await eligibleTechnicians(db, await serviceId('depannage'), address)).map((t) => t.name);
      expect(names).toEqual(['Thomas Petit']);
    } finally {
      await db.updateTable('technicians').set({ active: true }).where('name', '=', 'Inès Faure').execute();
    }
  });
});

describe("technicians' home zone kind", () => {
  // Stored and kept by triggers (migration 0025): any writer of homes, postal codes or zone kinds.
  it('follows the home, the postal codes and the kinds of zones', async () => {
    const db = testDb.handle.db;
    const service = await serviceId('depannage');
    const address = (await resolveAddress(db, { postcode: '69400' }))!;
    const kind = async () =>
      (await eligibleTechnicians(db, service, address)).find((t) => t.name === 'Thomas Petit')!.zoneKind;
    const thomas = await db
      .selectFrom('technicians')
      .select(['id', 'home_lat', 'home_lon'])
      .where('name', '=', 'Thomas Petit')
      .executeTakeFirstOrThrow();
    const lyon3 = (await resolveAddress(db, { postcode: '69003' }))!;
    expect(await kind()).toBe('rural');

    await db
      .updateTable('technicians')
      .set({ home_lat: lyon3.lat, home_lon: lyon3.lon })
      .where('id', '=', thomas.id)
      .execute();
    expect(await kind()).toBe('urban');

    const lyon3Zone = lyon3.zoneIds[0]!;
    await db.updateTable('zones').set({ kind: 'periurban' }).where('id', '=', lyon3Zone).execute();
    expect(await kind()).toBe('periurban');
    await db.updateTable('zones').set({ kind: 'urban' }).where('id', '=', lyon3Zone).execute();
    expect(await kind()).toBe('urban');

    await db
      .updateTable('technicians')
      .set({ home_lat: thomas.home_lat, home_lon: thomas.home_lon })
      .where('id', '=', thomas.id)
      .execute();
    expect(await kind()).toBe('rural');

    // A postal code added right at the home, in an urban zone, is now the nearest; removed, it is not.
    await db
      .insertInto('zone_postcodes')
      .values({
        zone_id: lyon3Zone,
        postcode: '69999',
        city: 'Essai',
        lat: thomas.home_lat,
        lon: thomas.home_lon,
      })
      .execute();
    expect(await kind()).toBe('urban');
    await db.deleteFrom('zone_postcodes').where('postcode', '=', '69999').execute();
    expect(await kind()).toBe('rural');
  });
});

describe('loading availability from the database', () => {
  it('expands the demo working hours around the March clock change', async () => {
    const db = testDb.handle.db;
    const tech = await db
      .selectFrom('technicians')
      .select('id')
      .where('name', '=', 'Julien Martin')
      .executeTakeFirstOrThrow();
    const from = new Date('2026-03-27T00:00:00Z');
    const to = new Date('2026-03-31T00:00:00Z');
    const calendar = await loadCompanyCalendar(db, from, to);
    const availability = (await loadTechnicianAvailability(db, [tech.id], from, to)).get(tech.id)!;
    expect(availability.workingHours).toHaveLength(2);
    const shifts = shiftsFor(availability, from, to, calendar);
    expect(shifts.map((s) => s.start.toISOString())).toEqual([
      '2026-03-27T07:00:00.000Z',
      '2026-03-27T12:30:00.000Z',
      '2026-03-30T06:00:00.000Z',
      '2026-03-30T11:30:00.000Z',
    ]);
    const solverShifts = toSolverShifts(tech.id, shifts, calendar.timezone);
    expect(solverShifts.map((s) => s.id)).toEqual([`${tech.id}:2026-03-27`, `${tech.id}:2026-03-30`]);
    expect(solverShifts[1]!.breaks).toEqual([
      {
        earliestStart: Date.parse('2026-03-30T10:00:00Z') / 1000,
        latestStart: Date.parse('2026-03-30T10:00:00Z') / 1000,
        duration: 5400,
      },
    ]);
  });
  it('gives every asked technician an entry, even one unknown', async () => {
    const map = await loadTechnicianAvailability(
      testDb.handle.db,
      ['00000000-0000-4000-8000-000000000000'],
      new Date('2026-03-01T00:00:00Z'),
      new Date('2026-03-02T00:00:00Z'),
    );
    expect(map.get('00000000-0000-4000-8000-000000000000')).toEqual({
      technicianId: '00000000-0000-4000-8000-000000000000',
      workingHours: [],
      absences: [],
      extraShifts: [],
    });
  });
});
