import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config/index.js';
import { openConfiguredDatabase } from '../app.js';
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
  const database = await openConfiguredDatabase(config);
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
