import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.js';
import type { TokenRole } from '../db/schema.js';
import { authenticate, roleAllows, type Principal } from '../domain/auth.js';
import { failedLoginsOf } from './failed-logins.js';
import { HttpProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The least role a bearer token needs for this route (scopes that call guardRoutesByRole). */
    role?: TokenRole;
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const UNAUTHORISED_HEADERS = { 'www-authenticate': 'Bearer realm="tournee"' };

/** Checks a token unless this address failed too often this minute (then 429); a failure is counted. */
async function checkToken(db: Db, request: FastifyRequest, token: string | undefined) {
  const failures = failedLoginsOf(request.server.ctx);
  const now = Date.now();
  const wait = failures.retryAfter(request.ip, now);
  if (wait > 0)
    throw new HttpProblem(
      429,
      'Too many requests',
      'Too many failed sign-ins from this address; try again later.',
      {},
      { 'retry-after': String(wait) },
    );
  const outcome = await authenticate(db, token);
  if (!outcome.ok) failures.record(request.ip, now);
  return outcome;
}

/**
 * One onRequest hook for a whole scope: each route declares `config: { role }` and the request needs a
 * valid, unexpired, unrevoked bearer token with at least that role. With `everyRoute`, registering a
 * route that declares no role fails at start-up, so an admin route cannot be left open by forgetting it.
 * The hook runs before the body is read: a stranger learns nothing from validation errors.
 */
export function guardRoutesByRole(scope: FastifyInstance, db: Db, options: { everyRoute: boolean }): void {
  if (options.everyRoute) {
    scope.addHook('onRoute', (route) => {
      const role = (route.config as { role?: TokenRole } | undefined)?.role;
      if (!role) throw new Error(`${String(route.method)} ${route.url} declares no role (config: { role })`);
    });
  }
  scope.addHook('onRequest', async (request) => {
    const role = request.routeOptions.config.role;
    if (!role) return;
    const outcome = await checkToken(db, request, bearer(request));
    if (!outcome.ok) {
      const detail = outcome.reason === 'missing' ? 'A bearer token is required.' : 'The token is not valid.';
      throw new HttpProblem(401, 'Unauthorized', detail, {}, UNAUTHORISED_HEADERS);
    }
    if (!roleAllows(outcome.principal.role, role)) {
      throw new HttpProblem(403, 'Forbidden', `This action needs the ${role} role.`);
    }
    request.principal = outcome.principal;
  });
}

/** The principal if a valid token was sent, without failing when none was (desk overrides on public routes). */
export async function optionalPrincipal(db: Db, request: FastifyRequest): Promise<Principal | undefined> {
  const token = bearer(request);
  if (!token) return undefined;
  const outcome = await checkToken(db, request, token);
  if (!outcome.ok)
    throw new HttpProblem(401, 'Unauthorized', 'The token is not valid.', {}, UNAUTHORISED_HEADERS);
  return outcome.principal;
}
