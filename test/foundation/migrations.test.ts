import { mkdtemp, rm, writeFile, cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { seedDemoCompany } from '../../src/demo/seed.js';
import { createTestDatabase, TEST_TODAY } from '../helpers/database.js';

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('adds a new migration to an existing PGlite data folder without losing rows', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tournee-mig-'));
    scratch.push(root);
    const dataDir = join(root, 'data');
    const migrationsDir = join(root, 'migrations');
    await mkdir(migrationsDir);
    await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });

    const first = await openDatabase({ dataDir });
    await migrate(first.db, migrationsDir);
    await seedDemoCompany(first.db, { today: TEST_TODAY });
    const before = await first.db
      .selectFrom('visits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await first.close();

    await writeFile(
      join(migrationsDir, '9999_add_visit_rating.sql'),
      'ALTER TABLE visits ADD COLUMN rating smallint;',
    );
    const reopened = await openDatabase({ dataDir });
    const { applied } = await migrate(reopened.db, migrationsDir);
    expect(applied).toEqual(['9999_add_visit_rating.sql']);
    const after = await reopened.db
      .selectFrom('visits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(before.n).toBeGreaterThan(100);
    const column = await sql<{ rating: number | null }>`SELECT rating FROM visits LIMIT 1`.execute(
      reopened.db,
    );
    expect(column.rows[0]?.rating).toBeNull();
    expect((await migrate(reopened.db, migrationsDir)).applied).toEqual([]);
    await reopened.close();
    // Two PGlite start-ups on disk, every migration and the demo seed: minutes on a loaded machine.
  }, 240_000);

  it('is idempotent on the test database (PostgreSQL when DATABASE_URL is set)', async () => {
    const testDb = await createTestDatabase();
    try {
      expect((await migrate(testDb.handle.db)).applied).toEqual([]);
    } finally {
      await testDb.destroy();
    }
  });

  it('refuses two overlapping booked visits for one technician (exclusion constraint)', async () => {
    const testDb = await createTestDatabase({ demo: true });
    try {
      const db = testDb.handle.db;
      const visit = await db
        .selectFrom('visits')
        .selectAll()
        .where('status', '=', 'booked')
        .executeTakeFirstOrThrow();
      const { id: _id, created_at: _c, updated_at: _u, version: _v, ...copy } = visit;
      await expect(
        db
          .insertInto('visits')
          .values({ ...copy, reference: 'DUP-1', manage_token_hash: 'dup' })
          .execute(),
      ).rejects.toMatchObject({ code: '23P01' });
    } finally {
      await testDb.destroy();
    }
  });
});

describe('demo company', () => {
  it('is the same on every load (fixed seed)', async () => {
    const a = await createTestDatabase({ demo: true });
    const b = await createTestDatabase({ demo: true });
    try {
      const rows = async (t: typeof a) =>
        (
          await t.handle.db
            .selectFrom('visits')
            .select(['id', 'technician_id', 'planned_start', 'customer_name'])
            .orderBy('id')
            .execute()
        ).map((r) => ({
          ...r,
          planned_start: r.planned_start.toISOString(),
        }));
      expect(await rows(a)).toEqual(await rows(b));
      const techs = await a.handle.db.selectFrom('technicians').select('name').execute();
      expect(techs.length).toBe(12);
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });

  it('keeps namesakes apart: one customer per visit, as no demo phone or e-mail repeats', async () => {
    const demo = await createTestDatabase({ demo: true });
    try {
      const db = demo.handle.db;
      const visits = await db.selectFrom('visits').select(['customer_name', 'customer_id']).execute();
      const names = new Set(visits.map((v) => v.customer_name));
      expect(names.size).toBeLessThan(visits.length); // the demo has namesakes
      const customers = new Set(visits.map((v) => v.customer_id));
      expect(customers.has(null)).toBe(false);
      expect(customers.size).toBe(visits.length);
    } finally {
      await demo.destroy();
    }
  });
});
