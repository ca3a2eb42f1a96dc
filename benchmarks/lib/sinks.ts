import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';

/** Where a benchmark's messages land: counts and arrival times, nothing parsed (the sink must stay cheap). */
export interface Sink {
  url: string;
  arrivals: number[];
  close(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 that accepts every mail. */
export async function startSmtpCounter(): Promise<Sink> {
  const arrivals: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        arrivals.push(Date.now());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An HTTP endpoint on 127.0.0.1 that answers 204 to every webhook. */
export async function startWebhookCounter(): Promise<Sink> {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(Date.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An SMTP sink and a webhook receiver running in a child process. */
export interface SinkProcess {
  smtpUrl: string;
  hookUrl: string;
  pid: number | undefined;
  /** Arrival times so far (ms since the epoch), per sink. */
  arrivals(): Promise<{ smtp: number[]; hooks: number[] }>;
  close(): Promise<void>;
}

export async function startSinkProcess(): Promise<SinkProcess> {
  const child = fork(fileURLToPath(new URL('./sink-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const nextMessage = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`sink process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as T);
      });
    });
  const { smtpUrl, hookUrl } = await nextMessage<{ smtpUrl: string; hookUrl: string }>();
  return {
    smtpUrl,
    hookUrl,
    pid: child.pid,
    async arrivals() {
      const answer = nextMessage<{ smtp: number[]; hooks: number[] }>();
      child.send('arrivals');
      return answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}
