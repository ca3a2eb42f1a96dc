import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig, publicBaseUrl } from '../config/index.js';
import { openConfiguredDatabase } from '../app.js';
import { DataDirInUseError } from '../db/data-dir-lock.js';
import { migrate } from '../db/migrate.js';
import { listTokens, revokeToken } from '../db/tokens.js';
import { createApiToken, ROLES } from '../domain/auth.js';

const usage = `usage:
  npm run token -- create --role admin|planner|agent [--name NAME] [--expires-days N]
  npm run token -- list
  npm run token -- revoke --id TOKEN_ID`;

const argsSchema = z.discriminatedUnion('command', [
  z.object({
    command: z.literal('create'),
    role: z.enum(ROLES),
    name: z.string().min(1).optional(),
    expiresDays: z.coerce.number().int().positive().optional(),
  }),
  z.object({ command: z.literal('list') }),
  z.object({ command: z.literal('revoke'), id: z.uuid() }),
]);

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      'expires-days': { type: 'string' },
      id: { type: 'string' },
    },
  });
  const parsed = argsSchema.safeParse({
    command: positionals[0],
    role: values.role,
    name: values.name,
    expiresDays: values['expires-days'],
    id: values.id,
  });
  if (!parsed.success) {
    console.error(
      `${parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ')}\n${usage}`,
    );
    process.exit(2);
  }
  const config = loadConfig();
  const database = await openConfiguredDatabase(config).catch((error: unknown) => {
    if (!(error instanceof DataDirInUseError)) throw error;
    console.error(serviceRunning(error, publicBaseUrl(config)));
    process.exit(1);
  });
  try {
    await migrate(database.db);
    const args = parsed.data;
    if (args.command === 'create') {
      const expires = args.expiresDays ? new Date(Date.now() + args.expiresDays * 86_400_000) : undefined;
      const { token } = await createApiToken(
        database.db,
        args.role,
        args.name ?? `${args.role} (cli)`,
        expires,
      );
      console.log(token);
    } else if (args.command === 'list') {
      for (const t of await listTokens(database.db))
        console.log(`${t.id}  ${t.role.padEnd(8)} ${t.revokedAt ? 'revoked ' : 'active  '} ${t.name}`);
    } else {
      console.log((await revokeToken(database.db, args.id)) ? 'revoked' : 'no such active token');
    }
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(1);
}

/** What to do instead when `npm start` holds the embedded database (a token made here would not work). */
function serviceRunning(error: DataDirInUseError, base: string): string {
  return [
    `The service is running on the embedded database in ${error.dataDir} (pid ${error.pid}):`,
    'a token written here would not be seen by it. Nothing was changed.',
    'Create the token through the running service with an admin token (the demo one is in',
    `${error.dataDir}/admin-token), e.g.:`,
    `  curl -X POST ${base}/v1/admin/tokens -H "Authorization: Bearer $(cat ${error.dataDir}/admin-token)" \\`,
    `       -H 'content-type: application/json' -d '{"name":"Claire","role":"agent"}'`,
    '(list: GET /v1/admin/tokens, revoke: DELETE /v1/admin/tokens/:id) — or stop the service and run this again.',
  ].join('\n');
}
