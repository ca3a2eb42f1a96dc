import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startService, type RunningService } from './service.js';

const HAPROXY_CONFIG = fileURLToPath(new URL('../../deploy/haproxy.cfg', import.meta.url));

export interface ClusterOptions {
  databaseUrl: string;
  schema: string;
  instances: number;
  /** Extra environment for every instance. */
  env?: Record<string, string>;
}

export interface Cluster {
  /** The load balancer's address: what clients use. */
  baseUrl: string;
  instances: (RunningService | null)[];
  /** SIGKILL: the instance dies mid-request, as on a crash or an OOM kill. */
  kill(index: number): Promise<void>;
  /** SIGTERM (drain, then exit), then a new process on the same port, ready before this returns. */
  restart(index: number): Promise<void>;
  /** Starts a stopped or killed instance again on its port. */
  start(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** HAProxy (Debian's) from deploy/haproxy.cfg in front of `instances` service processes on one database. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
  const env = (port: number) => ({
    DATABASE_URL: options.databaseUrl,
    TOURNEE_DB_SCHEMA: options.schema,
    PORT: String(port),
    // Well above the balancer's detection time (2 failed checks 250 ms apart): it sees /ready fail
    // and takes the instance out before the listener closes.
    TOURNEE_DRAIN_DELAY_MS: '2000',
    ...options.env,
  });
  const instances: (RunningService | null)[] = await Promise.all(
    ports.map((port) => startService(env(port))),
  );

  const dir = await mkdtemp(join(tmpdir(), 'tournee-lb-'));
  const config = join(dir, 'haproxy.cfg');
  const servers = ports.map((port, i) => `    server i${i + 1} 127.0.0.1:${port} check`).join('\n');
  await writeFile(config, (await readFile(HAPROXY_CONFIG, 'utf8')).trimEnd() + '\n' + servers + '\n');
  const lbPort = await freePort();
  const haproxy: ChildProcess = spawn('haproxy', ['-db', '-f', config], {
    env: { ...process.env, TOURNEE_LB_BIND: `127.0.0.1:${lbPort}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let lbOutput = '';
  haproxy.stderr!.on('data', (d) => (lbOutput = (lbOutput + d).slice(-4000)));
  const baseUrl = `http://127.0.0.1:${lbPort}`;
  await waitUntil(async () => {
    if (haproxy.exitCode !== null) throw new Error(`haproxy exited: ${lbOutput}`);
    return (await fetch(`${baseUrl}/ready`).catch(() => null))?.status === 200;
  }, 20_000);

  const stopInstance = async (i: number, signal: NodeJS.Signals) => {
    const instance = instances[i];
    if (!instance) return;
    instances[i] = null;
    const child = instance.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  };
  const start = async (i: number) => {
    instances[i] ??= await startService(env(ports[i]!));
    // Let the balancer's checks see it up before the caller takes another instance away.
    await new Promise((r) => setTimeout(r, 800));
  };
  return {
    baseUrl,
    instances,
    kill: (i) => stopInstance(i, 'SIGKILL'),
    start,
    async restart(i) {
      await stopInstance(i, 'SIGTERM');
      await start(i);
    },
    async stop() {
      await Promise.all(instances.map((_, i) => stopInstance(i, 'SIGTERM')));
      await new Promise<void>((resolve) => {
        if (haproxy.exitCode !== null) return resolve();
        haproxy.once('exit', () => resolve());
        haproxy.kill('SIGTERM');
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
