import type { Db } from '../db/database.js';
import type { TokenRole } from '../db/schema.js';
import { findTokenByHash, insertToken } from '../db/tokens.js';

/** Plain reads and writes with no rule of their own: the routes reach them through this module. */
export { listTokens, revokeToken } from '../db/tokens.js';
import { newSecret, secretsEqual, sha256Hex } from './secrets.js';

export const ROLES = ['admin', 'planner', 'agent'] as const satisfies readonly TokenRole[];

/** What each role may do, widest first: an admin can do what a planner can, and so on. */
const ROLE_RANK: Record<TokenRole, number> = { admin: 3, planner: 2, agent: 1 };

export function roleAllows(held: TokenRole, needed: TokenRole): boolean {
  return ROLE_RANK[held] >= ROLE_RANK[needed];
}

export interface Principal {
  tokenId: string;
  name: string;
  role: TokenRole;
}

export type AuthOutcome =
  { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'unknown' | 'revoked' | 'expired' };

export async function authenticate(
  db: Db,
  presented: string | undefined,
  now = new Date(),
): Promise<AuthOutcome> {
  if (!presented) return { ok: false, reason: 'missing' };
  const hash = sha256Hex(presented);
  const stored = await findTokenByHash(db, hash);
  // The lookup is by hash; the final comparison is constant-time anyway so no path leaks timing.
  if (!stored || !secretsEqual(stored.tokenHash, hash)) return { ok: false, reason: 'unknown' };
  if (stored.revokedAt) return { ok: false, reason: 'revoked' };
  if (stored.expiresAt && stored.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, principal: { tokenId: stored.id, name: stored.name, role: stored.role } };
}

/** Creates a token and returns it in clear: the only time it is ever visible. */
export async function createApiToken(
  db: Db,
  role: TokenRole,
  name: string,
  expiresAt?: Date,
): Promise<{ id: string; token: string }> {
  const token = newSecret(`trn_${role}`);
  const id = await insertToken(db, { name, role, tokenHash: sha256Hex(token), expiresAt: expiresAt ?? null });
  return { id, token };
}

/**
 * Makes TOURNEE_ADMIN_TOKEN (or the demo token of the data folder) an admin
 * token on first start. Later starts leave it as it is: once revoked, it stays
 * revoked (the answer says so, for the start-up message).
 */
export async function ensureBootstrapAdmin(
  db: Db,
  token: string,
  name = 'bootstrap (TOURNEE_ADMIN_TOKEN)',
): Promise<{ revoked: boolean }> {
  const hash = sha256Hex(token);
  await insertToken(db, { name, role: 'admin', tokenHash: hash });
  const stored = await findTokenByHash(db, hash);
  return { revoked: Boolean(stored?.revokedAt) };
}
