import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxProcess } from '../../src/domain/messages/outbox-process.js';
import { storedMails } from '../../src/domain/messages/transport.js';
import {
  OUTBOX_CATCH_UP,
  OUTBOX_PROCESS_NAME,
  OUTBOX_PROCESS_NICE,
  outboxLevelFor,
  PolicySetter,
  probeSchedIdle,
} from '../../src/domain/messages/process-priority.js';
import { findVisitWithService } from '../../src/db/visits.js';
import { insertWebhook } from '../../src/db/webhooks.js';
import { newWebhookSecret } from '../../src/domain/webhooks/signature.js';
import { startReceiver } from './receiver.js';
import { enqueueMessage } from '../../src/domain/outbox/index.js';
import { visitEventData } from '../../src/domain/outbox/visit-events.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const url = process.env.DATABASE_URL;

/** Linux scheduling policies as /proc shows them (field 41 of stat). */
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/** A process's threads: name, nice level and policy (fields 19 and 41 of /proc/<pid>/task/<tid>/stat). */
function threads(pid = process.pid): { tid: number; name: string; nice: number; policy: number }[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [
        {
          tid: Number(tid),
          name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(),
          nice: Number(fields[16]),
          policy: Number(fields[38]),
        },
      ];
    } catch {
      return [];
    }
  });
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

describe('the outbox process’s priority', () => {
  it('is idle while nothing waits long, and rises with the age of what waits', () => {
    expect(outboxLevelFor(undefined)).toBe('idle');
    expect(outboxLevelFor(0)).toBe('idle');
    expect(outboxLevelFor(999)).toBe('idle');
    expect(outboxLevelFor(1_000)).toBe(10);
    expect(outboxLevelFor(9_999)).toBe(10);
    expect(outboxLevelFor(10_000)).toBe(5);
    expect(outboxLevelFor(30_000)).toBe(0);
    expect(outboxLevelFor(3_600_000)).toBe(0);
  });

  it.skipIf(process.platform !== 'linux')('asks for SCHED_IDLE only where it can be left again', async () => {
    const hasChrt = (() => {
      try {
        execFileSync('chrt', ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    // Root here has CAP_SYS_NICE: it may take threads out of SCHED_IDLE.
    if (hasChrt && process.getuid?.() === 0) expect(await probeSchedIdle()).toBe('usable');
    // Without chrt: nice alone.
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await probeSchedIdle()).toBe('absent');
    } finally {
      process.env.PATH = path;
    }
  });

  it.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)(
    'sets a process’s policy through its one shell, in order, and says when the process is gone',
    async () => {
      const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
      const setter = new PolicySetter();
      try {
        const pid = sleeper.pid!;
        const policy = () => threads(pid)[0]?.policy;
        // Two changes written at once are answered in order.
        const [first, second] = await Promise.all([setter.set(pid, 'other'), setter.set(pid, 'idle')]);
        expect([first, second]).toEqual(['set', 'set']);
        expect(policy()).toBe(SCHED_IDLE);
        expect(await setter.set(pid, 'other')).toBe('set');
        expect(policy()).toBe(SCHED_OTHER);
        sleeper.kill('SIGKILL');
        await new Promise((resolve) => sleeper.once('exit', resolve));
        expect(await setter.set(pid, 'idle')).toBe('gone');
      } finally {
        setter.close();
        sleeper.kill('SIGKILL');
      }
      // Without chrt on the path (nor sh): nothing set, said so.
      const path = process.env.PATH;
      process.env.PATH = '/nonexistent';
      const without = new PolicySetter();
      try {
        expect(await without.set(process.pid, 'idle')).toBe('absent');
      } finally {
        process.env.PATH = path;
        without.close();
      }
      expect(threads().every((t) => t.policy === SCHED_OTHER)).toBe(true);
    },
  );

  // An unprivileged user (RLIMIT_NICE 0, no CAP_SYS_NICE) may enter SCHED_IDLE but never leave it:
  // the catch-up could not raise the outbox, so it must keep SCHED_OTHER at nice 19.
  it.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)(
    'finds SCHED_IDLE refused to an unprivileged user',
    () => {
      let setpriv = true;
      try {
        execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
        execFileSync('chrt', ['--version'], { stdio: 'ignore' });
      } catch {
        setpriv = false;
      }
      if (!setpriv) return;
      const answer = execFileSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          '--inh-caps=-all',
          process.execPath,
          '--import',
          'tsx',
          '-e',
          "import('./src/domain/messages/process-priority.ts').then(async (m) => console.log(await m.probeSchedIdle()))",
        ],
        { encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } },
      );
      expect(answer.trim()).toBe('refused');
    },
  );
});

/** The policy of the outbox's threads while it keeps up: SCHED_IDLE where the instance can take them out of it. */
async function steadyPolicy(): Promise<number> {
  return (await probeSchedIdle()) === 'usable' ? SCHED_IDLE : SCHED_OTHER;
}

/** Whether every thread of process `pid` passes `check` (true), else undefined (for until). */
const allThreads =
  (pid: number) =>
  (check: (t: { nice: number; policy: number }) => boolean): true | undefined => {
    const its = threads(pid);
    return its.length > 1 && its.every(check) ? true : undefined;
  };

/** The level a second of waiting raises the process to (10). */
const FIRST_RAISE = OUTBOX_CATCH_UP.at(-1)!.nice;

describe.skipIf(!url || process.platform !== 'linux')('the outbox process', () => {
  let testDb: TestDatabase;
  let outbox: OutboxProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'outbox-process-'));
  const warnings: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase({ demo: true });
    const log = {
      info: () => {},
      warn: (_: object, m: string) => warnings.push(m),
      error: (_: object, m: string) => warnings.push(m),
    };
    outbox = new OutboxProcess(
      {
        url: url!,
        schema: testDb.schema,
        messaging: { dataDir, publicUrl: 'http://tournee.test', allowPrivateWebhooks: true },
      },
      log,
    );
    outbox.start();
  });
  afterAll(async () => {
    await outbox?.stop();
    await testDb?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs named, every thread of it below the priority of the instance (SCHED_IDLE where it can be left), and delivers', async () => {
    const ownBefore = threads();
    const pid = outbox.pid!;
    expect(pid).toBeGreaterThan(0);
    const main = await until('the outbox process named', () =>
      threads(pid).find((t) => t.tid === pid && t.name === OUTBOX_PROCESS_NAME),
    );
    expect(main.name).toBe(OUTBOX_PROCESS_NAME);
    // Every thread of it (V8's compiler and collector threads, libuv's): not its main thread only.
    const policy = (await probeSchedIdle()) === 'usable' ? SCHED_IDLE : SCHED_OTHER;
    const its = await until('all its threads lowered', () => {
      const all = threads(pid);
      return all.length > 1 && all.every((t) => t.nice === OUTBOX_PROCESS_NICE && t.policy === policy)
        ? all
        : undefined;
    });
    expect(its.length).toBeGreaterThan(4);
    // chrt lowers the threads before it exits, and the instance learns the level only once it has: wait for that.
    const level = policy === SCHED_IDLE ? 'idle' : OUTBOX_PROCESS_NICE;
    await until('the instance knows the level', () => (outbox.level === level ? true : undefined));
    expect(outbox.level).toBe(level);
    // The instance's threads keep their level and policy.
    const mainNice = ownBefore.find((t) => t.tid === process.pid)!.nice;
    expect(mainNice).toBeLessThan(OUTBOX_PROCESS_NICE);
    for (const t of threads()) {
      expect(t.nice).toBe(mainNice);
      expect(t.policy).toBe(SCHED_OTHER);
    }

    const db = testDb.handle.db;
    const { id } = await db
      .selectFrom('visits')
      .select('id')
      .where('status', '=', 'booked')
      .where('customer_email', 'is not', null)
      .executeTakeFirstOrThrow();
    const row = (await findVisitWithService(db, id))!;
    const visit = visitEventData(
      row,
      { name: row.service_name, priceLabel: row.service_price_label },
      'Europe/Paris',
    );
    await db.transaction().execute((tx) =>
      enqueueMessage(tx, {
        type: 'booking.created',
        aggregate: 'visit',
        aggregateId: id,
        payload: { ...visit },
      }),
    );
    const sent = await until('the confirmation sent', async () => {
      const message = await db
        .selectFrom('messages')
        .select(['status', 'channel'])
        .where('aggregate_id', '=', id)
        .where('status', '=', 'sent')
        .executeTakeFirst();
      return message;
    });
    expect(sent.channel).toBe('email');
    expect(await storedMails(dataDir)).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  // Raising a priority needs CAP_SYS_NICE (root here); without it the process stays at 19.
  it.skipIf(process.getuid?.() !== 0)(
    'is raised to SCHED_OTHER while a message waits past a second, and lowered again once delivered',
    async () => {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      // A receiver that keeps the call open: the run delivering it does not end, its event waits.
      const receiver = await startReceiver(async () => {
        await held;
        return 204;
      });
      const db = testDb.handle.db;
      try {
        await insertWebhook(db, {
          url: receiver.url,
          events: ['request.closed'],
          secret: newWebhookSecret(),
        });
        await db.transaction().execute((tx) =>
          enqueueMessage(tx, {
            type: 'request.closed',
            aggregate: 'request',
            aggregateId: '00000000-0000-4000-8000-00000000c10e',
            payload: {},
          }),
        );
        const pid = outbox.pid!;
        const steady = await steadyPolicy();
        const all = allThreads(pid);
        await until('the webhook on the wire', () => (receiver.calls.length > 0 ? true : undefined));
        await until('the process raised', () =>
          all((t) => t.nice <= FIRST_RAISE && t.policy === SCHED_OTHER),
        );
        // The threads change as chrt runs; the instance records the level once chrt has answered.
        await until('the raise recorded', () => (outbox.level !== 'idle' ? true : undefined));
        // 10 past a second of waiting (lower still past 10 s, on a host slow enough).
        expect(outbox.level).toBeLessThanOrEqual(FIRST_RAISE);
        release();
        await until('the process lowered again', () =>
          all((t) => t.nice === OUTBOX_PROCESS_NICE && t.policy === steady),
        );
        await until('caught up', () => (outbox.backlogAgeMs() === undefined ? true : undefined));
        const message = await db
          .selectFrom('messages')
          .select('status')
          .where('kind', '=', 'request.closed')
          .executeTakeFirstOrThrow();
        expect(message.status).toBe('sent');
        expect(receiver.calls.length).toBe(1);
        expect(warnings).toEqual([]);
      } finally {
        release();
        await receiver.close();
      }
    },
  );

  // Work this instance did not commit (another instance's events, retries, a dead worker's lease)
  // is seen by the process alone; starved of CPU it cannot say so. Frozen here (SIGSTOP) as a
  // process that gets no CPU at all: its silence past its poll raises it.
  it.skipIf(process.getuid?.() !== 0)(
    'is raised when it goes silent past its poll (no CPU to report), and lowered once heard again',
    async () => {
      const pid = outbox.pid!;
      const steady = await steadyPolicy();
      const all = allThreads(pid);
      await until('the process at its steady level', () =>
        all((t) => t.nice === OUTBOX_PROCESS_NICE && t.policy === steady),
      );
      process.kill(pid, 'SIGSTOP');
      try {
        await until('the silent process raised', () =>
          all((t) => t.nice <= FIRST_RAISE && t.policy === SCHED_OTHER),
        );
        expect(outbox.backlogAgeMs()).toBeGreaterThanOrEqual(OUTBOX_CATCH_UP.at(-1)!.afterMs);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await until('the process lowered again', () =>
        all((t) => t.nice === OUTBOX_PROCESS_NICE && t.policy === steady),
      );
      expect(warnings).toEqual([]);
    },
  );
});
