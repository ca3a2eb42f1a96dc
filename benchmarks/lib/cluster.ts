import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
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
  /** The balancer's name of each instance, as its answers' x-served-by header says it. */
  names: string[];
  /** The balancer's process id (to read its CPU time). */
  balancerPid: number | undefined;
  /** PostgreSQL's application_name of every instance's connections (to find their backends). */
  applicationName: string;
  /** Each instance's Prometheus text (its internal metrics port), to count what it answered from memory. */
  metrics(index: number): Promise<string>;
  /** SIGKILL: the instance dies mid-request, as on a crash or an OOM kill. */
  kill(index: number): Promise<void>;
  /**
   * SIGTERM (drain, then exit), then a new process on the same port, back in the balancer's rotation
   * before this returns. `outBeforeExit`: the balancer had taken it out (its /ready said draining)
   * before the process exited.
   */
  restart(index: number): Promise<{ outBeforeExit: boolean }>;
  /**
   * Sends traffic to the first `count` instances only: the others are put in maintenance in the
   * balancer (its runtime API), still running. Returns once the balancer's view says so.
   */
  serve(count: number): Promise<void>;
  /** Starts a stopped or killed instance again on its port; returns once the balancer counts it up. */
  start(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** HAProxy (Debian's) from deploy/haproxy.cfg in front of `instances` service processes on one database. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
  const metricsPorts = await Promise.all(ports.map(() => freePort()));
  const names = ports.map((_, i) => `i${i + 1}`);
  const applicationName = `tournee-cluster-${options.schema}`.slice(0, 63);
  const databaseUrl = new URL(options.databaseUrl);
  databaseUrl.searchParams.set('application_name', applicationName);
  const env = (i: number) => ({
    DATABASE_URL: databaseUrl.toString(),
    TOURNEE_DB_SCHEMA: options.schema,
    PORT: String(ports[i]),
    TOURNEE_METRICS_PORT: String(metricsPorts[i]),
    // Above the balancer's detection time (a check within 1 s, a second 250 ms later): it sees /ready fail
    // and takes the instance out before the listener closes.
    TOURNEE_DRAIN_DELAY_MS: '2000',
    ...options.env,
  });
  const instances: (RunningService | null)[] = await Promise.all(ports.map((_, i) => startService(env(i))));

  const dir = await mkdtemp(join(tmpdir(), 'tournee-lb-'));
  const config = join(dir, 'haproxy.cfg');
  const [lbPort, statsPort] = [await freePort(), await freePort()];
  // The balancer's own view of each instance (CSV statistics), on a port of its own: what the
  // restart waits on instead of guessing how long checks take.
  const stats = `\nlisten stats\n    bind 127.0.0.1:${statsPort}\n    stats enable\n    stats uri /stats\n`;
  const adminSocket = join(dir, 'admin.sock');
  const withAdmin = withServers(await readFile(HAPROXY_CONFIG, 'utf8'), names, ports).replace(
    /^global$/m,
    `global\n    stats socket ${adminSocket} mode 600 level admin`,
  );
  await writeFile(config, withAdmin + stats);
  const haproxy: ChildProcess = spawn('haproxy', ['-db', '-f', config], {
    env: { ...process.env, TOURNEE_LB_BIND: `127.0.0.1:${lbPort}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let lbOutput = '';
  haproxy.stderr!.on('data', (d) => (lbOutput = (lbOutput + d).slice(-4000)));
  const baseUrl = `http://127.0.0.1:${lbPort}`;
  /** Instance `i`'s status in every backend of the balancer: UP, DOWN, "UP 1/2" while rising, MAINT… */
  const statusInBalancer = async (i: number): Promise<string[]> => {
    if (haproxy.exitCode !== null) throw new Error(`haproxy exited: ${lbOutput}`);
    const res = await fetch(`http://127.0.0.1:${statsPort}/stats;csv`).catch(() => null);
    if (!res?.ok) return [];
    const rows = (await res.text()).split('\n').map((l) => l.split(','));
    // Column 18 is the status.
    return rows.filter((r) => r[1] === names[i]).map((r) => r[17]!);
  };
  const upInBalancer = async (i: number): Promise<boolean> => {
    const status = await statusInBalancer(i);
    return status.length > 0 && status.every((s) => s === 'UP');
  };
  const command = (line: string) =>
    new Promise<string>((resolve, reject) => {
      let answer = '';
      const socket = createConnection(adminSocket, () => socket.end(line + '\n'));
      socket.on('data', (d) => (answer += d));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  await waitUntil(
    async () => (await Promise.all(names.map((_, i) => upInBalancer(i)))).every(Boolean),
    20_000,
  );

  const stopInstance = async (i: number, signal: NodeJS.Signals): Promise<{ outBeforeExit: boolean }> => {
    const instance = instances[i];
    if (!instance) return { outBeforeExit: true };
    instances[i] = null;
    const child = instance.process;
    if (child.exitCode !== null || child.signalCode !== null) return { outBeforeExit: true };
    let exited = false;
    let outBeforeExit = false;
    const exit = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        resolve();
      });
      child.kill(signal);
    });
    // Watch the balancer until the process is gone: did it take the instance out first?
    while (!exited) {
      const up = await upInBalancer(i);
      if (!exited && !up) outBeforeExit = true;
      await Promise.race([exit, new Promise((r) => setTimeout(r, 50))]);
    }
    return { outBeforeExit };
  };
  const start = async (i: number) => {
    instances[i] ??= await startService(env(i));
    // Back in the balancer's rotation before the caller takes another instance away.
    await waitUntil(() => upInBalancer(i), 30_000);
  };
  return {
    baseUrl,
    instances,
    names,
    balancerPid: haproxy.pid,
    applicationName,
    async serve(count) {
      for (let i = 0; i < names.length; i++)
        for (const backend of ['instances', 'slot-reads'])
          await command(`set server ${backend}/${names[i]} state ${i < count ? 'ready' : 'maint'}`);
      await waitUntil(async () => {
        for (let i = 0; i < names.length; i++) {
          const status = await statusInBalancer(i);
          if (!status.every((s) => (i < count ? s === 'UP' : s.startsWith('MAINT')))) return false;
        }
        return true;
      }, 30_000);
    },
    async metrics(i) {
      return (await fetch(`http://127.0.0.1:${metricsPorts[i]}/metrics`)).text();
    },
    async kill(i) {
      await stopInstance(i, 'SIGKILL');
    },
    start,
    async restart(i) {
      const { outBeforeExit } = await stopInstance(i, 'SIGTERM');
      await start(i);
      return { outBeforeExit };
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

/**
 * The repository's configuration with the instances put where its `# servers:` comments say: checked
 * in the backend that checks, tracking those in the one that follows them. Each answer names the
 * instance that gave it (x-served-by), which the kill and restart checks count; a deployment need not.
 */
function withServers(config: string, names: string[], ports: number[]): string {
  const lines: string[] = [];
  for (const line of config.split('\n')) {
    lines.push(line);
    const marker = /^\s*# servers:.*`server <name> <address> (check|track (\S+)\/<name>)`/.exec(line);
    if (!marker) continue;
    lines.push('    http-response set-header x-served-by %s');
    names.forEach((name, i) =>
      lines.push(
        `    server ${name} 127.0.0.1:${ports[i]} ${marker[2] ? `track ${marker[2]}/${name}` : 'check'}`,
      ),
    );
  }
  if (!lines.some((l) => /^\s*server /.test(l)))
    throw new Error('no `# servers:` place in deploy/haproxy.cfg');
  return lines.join('\n');
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
