import type { Db } from './database.js';
import type { TokenRole } from './schema.js';

export interface StoredToken {
  id: string;
  name: string;
  role: TokenRole;
  tokenHash: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export async function insertToken(
  db: Db,
  token: { name: string; role: TokenRole; tokenHash: string; expiresAt?: Date | null },
): Promise<string> {
  const row = await db
    .insertInto('api_tokens')
    .values({
      name: token.name,
      role: token.role,
      token_hash: token.tokenHash,
      expires_at: token.expiresAt ?? null,
      revoked_at: null,
    })
    // A token already known keeps its state: a revoked bootstrap token must stay revoked across restarts.
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (row) return row.id;
  const existing = await db
    .selectFrom('api_tokens')
    .select('id')
    .where('token_hash', '=', token.tokenHash)
    .executeTakeFirstOrThrow();
  return existing.id;
}

export async function findTokenByHash(db: Db, tokenHash: string): Promise<StoredToken | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      name: row.name,
      role: row.role,
      tokenHash: row.token_hash,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
    }
  );
}

export async function listTokens(db: Db): Promise<Omit<StoredToken, 'tokenHash'>[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'role', 'expires_at', 'revoked_at'])
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  }));
}

export async function revokeToken(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
