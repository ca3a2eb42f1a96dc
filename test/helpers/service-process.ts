import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  /** How the process ended: the signal's name, or `code N`. */
  exited: Promise<string>;
  /** Everything it printed so far (for failure messages; never asserted on for personal data here). */
  output(): string;
}

/**
 * The service as an operator runs it, in its own process: `command` is `npm start` or the node
 * command it execs. Resolves once the start-up banner names the port.
 */
export async function startServiceProcess(
  env: Record<string, string>,
  command: 'npm' | 'node' = 'node',
): Promise<ServiceProcess> {
  const [file, args] =
    command === 'npm'
      ? ['npm', ['start', '--silent']]
      : [process.execPath, ['--import', 'tsx', 'src/main.ts']];
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
  );
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d.toString();
      const m = /health\s*: http:\/\/127\.0\.0\.1:(\d+)\/health/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr!.on('data', (d) => (out += d.toString()));
    void exited.then(() => reject(new Error(`the service exited before listening: ${out}`)));
  });
  return { child, port, exited, output: () => out };
}
