import type { Executor } from './database.js';

/** A secret shared by every instance (HMAC key for challenges), made on first use. */
export async function serviceSecret(db: Executor, name: string, make: () => string): Promise<string> {
  await db
    .insertInto('service_secrets')
    .values({ name, value: make() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('service_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}
