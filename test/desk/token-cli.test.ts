import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tournee-token-cli-'));
let service: ServiceProcess | undefined;
// The embedded database is the point: neither process may pick up the suite's PostgreSQL.
const suiteDatabase = process.env.DATABASE_URL;
delete process.env.DATABASE_URL;

afterAll(async () => {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
  rmSync(dir, { recursive: true, force: true });
  if (suiteDatabase !== undefined) process.env.DATABASE_URL = suiteDatabase;
});

async function tokenCli(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/token.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run token while npm start holds the embedded database', () => {
  it('refuses with the way to make one through the API, and works once the service stopped', async () => {
    const env = { TOURNEE_DATA_DIR: join(dir, 'data'), TOURNEE_DEMO: 'false' };
    service = await startServiceProcess(env);

    const refused = await tokenCli(env, 'create', '--role', 'agent');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('POST http://');
    expect(refused.stderr).toContain('/v1/admin/tokens');
    expect(refused.stderr).toMatch(/pid \d+/);

    service.child.kill('SIGTERM');
    await service.exited;
    const made = await tokenCli(env, 'create', '--role', 'agent');
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout.trim()).toMatch(/^\S{24,}$/);
  }, 240_000);
});
