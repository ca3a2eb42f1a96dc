import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { composeMail } from './mime.js';

/** Where e-mails go: an SMTP server, or (no SMTP configured) files in the data folder shown at /dev/mail. */
export interface MailTransport {
  readonly kind: 'smtp' | 'folder';
  send(mail: Mail.Options): Promise<void>;
  close(): void;
}

/** A refusal that retrying will not change (5xx from the SMTP server: bad address, content refused). */
export class PermanentMailError extends Error {}

export function smtpTransport(url: string): MailTransport {
  // Pooled: a few kept-open connections carry every e-mail, instead of a TCP and SMTP handshake each
  // (the worker delivered ~60 messages/s without it, bench:outbox). `?pool=false` in the URL opts out.
  const pooled = new URL(url);
  if (!pooled.searchParams.has('pool')) pooled.searchParams.set('pool', 'true');
  const transporter = nodemailer.createTransport(pooled.toString(), {});
  // Bounded waits: a hung server must not hold the worker past its lease.
  Object.assign(transporter.options, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  // Each e-mail composed whole into a buffer first (composeMail: one synchronous pass, the bytes
  // nodemailer's streams would write), then sent as it is: the connection writes it in one go
  // instead of in the ~28 pieces nodemailer's MIME stream yields (a system call each, and each
  // waking the SMTP server's process): 5 writes an e-mail instead of 28, system CPU 0.58-0.77 ->
  // 0.31-0.41 ms an e-mail, all CPU 5.1 -> 4.7 ms (three runs each, alternated, load 8-12).
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        const { message, envelope } = composeMail(mail);
        await transporter.sendMail({ envelope, raw: message });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500 && code < 600) {
          throw new PermanentMailError(`SMTP ${code}`, { cause: error });
        }
        throw new Error(code ? `SMTP ${code}` : `SMTP: ${(error as Error).message}`, { cause: error });
      }
    },
    close: () => transporter.close(),
  };
}

export interface StoredMail {
  file: string;
  messageId: string;
  date: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  calendar: string | null;
}

/**
 * The folder transport: each e-mail appended to `mail/index.jsonl` (kept open) as one line: what
 * /dev/mail lists and shows, and the exact message an SMTP server would get (`eml`: CRLF line
 * ends, as SMTP carries them), read back with storedMessage.
 *
 * No new file an e-mail: creating a file is the dear part of writing it, and its cost depends on
 * where the folder lies (a 6 KB file made anew cost 10-240 µs of kernel CPU on the bench host, up
 * to 0.53 ms an e-mail in a bench:outbox-drain profile with the folder under /tmp; appending the
 * same bytes to an open file 2-5 µs), and a system call is not preempted on a kernel built without
 * preemption, so a booking's thread waking meanwhile waits for it. One write a line: appends are
 * not interleaved, so instances sharing a data folder keep whole lines. Until 2026-12-03 each
 * e-mail was an .eml file of its own, and until 2026-12-02 each summary a .json file (both still
 * read, see storedMails and storedMessage).
 */
export function folderTransport(dataDir: string): MailTransport {
  const dir = join(dataDir, 'mail');
  const indexFile = join(dir, INDEX_FILE);
  let index: number | undefined;
  // Written synchronously: an append takes microseconds, less than composing the e-mail
  // (synchronous too), while the promise API's write, a trip to libuv's thread pool, costs more.
  const append = (line: string) => {
    // Opened again if it was removed meanwhile (its descriptor would write to a deleted file).
    if (index !== undefined && fstatSync(index).nlink === 0) {
      closeSync(index);
      index = undefined;
    }
    index ??= openSync(indexFile, 'a', 0o600);
    writeSync(index, line);
  };
  return {
    kind: 'folder',
    async send(mail) {
      const { message } = composeMail(mail);
      const date = (mail.date instanceof Date ? mail.date : new Date()).toISOString().replace(/[:.]/g, '-');
      const id = String(mail.messageId ?? '')
        .replace(/[^A-Za-z0-9-]/g, '')
        .slice(0, 40);
      const stored: StoredMail & { eml: string } = {
        file: `${date}-${id}`,
        messageId: String(mail.messageId ?? ''),
        date: (mail.date instanceof Date ? mail.date : new Date()).toISOString(),
        to:
          typeof mail.to === 'object' && mail.to && 'address' in mail.to
            ? (mail.to.address ?? '')
            : String(mail.to ?? ''),
        subject: String(mail.subject ?? ''),
        text: String(mail.text ?? ''),
        html: String(mail.html ?? ''),
        calendar:
          mail.icalEvent && typeof mail.icalEvent === 'object' && 'content' in mail.icalEvent
            ? String(mail.icalEvent.content)
            : null,
        eml: typeof message === 'string' ? message : message.toString('utf8'),
      };
      const line = `${JSON.stringify(stored)}\n`;
      try {
        append(line);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // The folder is not there (first e-mail, or removed meanwhile): made, and the index opened anew.
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (index !== undefined) closeSync(index);
        index = undefined;
        append(line);
      }
    },
    close: () => {
      if (index !== undefined) closeSync(index);
      index = undefined;
    },
  };
}

/** The summaries of the e-mails kept in the data folder, one JSON line each (folderTransport). */
const INDEX_FILE = 'index.jsonl';

/** Every stored e-mail: the index's lines (a line cut short by a crash is skipped) and the .json files of earlier versions. */
async function allStored(dataDir: string): Promise<(StoredMail & { eml?: string })[]> {
  const dir = join(dataDir, 'mail');
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const mails: (StoredMail & { eml?: string })[] = [];
  if (files.includes(INDEX_FILE)) {
    for (const line of (await readFile(join(dir, INDEX_FILE), 'utf8')).split('\n')) {
      if (!line) continue;
      try {
        mails.push(JSON.parse(line) as StoredMail & { eml?: string });
      } catch {
        // the last line of a write interrupted by a crash
      }
    }
  }
  const legacy = await Promise.all(
    files
      .filter((f) => f.endsWith('.json'))
      .map(async (f) => {
        try {
          return JSON.parse(await readFile(join(dir, f), 'utf8')) as StoredMail;
        } catch {
          return undefined;
        }
      }),
  );
  for (const mail of legacy) if (mail) mails.push(mail);
  return mails;
}

/** A stored e-mail's summary, without the message itself. */
function summaryOf({ eml: _eml, ...summary }: StoredMail & { eml?: string }): StoredMail {
  return summary;
}

/** The stored e-mails, newest first (for /dev/mail). */
export async function storedMails(dataDir: string, limit = 200): Promise<StoredMail[]> {
  const mails = await allStored(dataDir);
  // File names start with the date (ISO, sortable): newest first, as the .json files were listed.
  mails.sort((a, b) => (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
  return mails.slice(0, limit).map(summaryOf);
}

export async function storedMail(dataDir: string, file: string): Promise<StoredMail | null> {
  if (!/^[\w-]+$/.test(file)) return null;
  const mail = (await allStored(dataDir)).find((m) => m.file === file);
  return mail ? summaryOf(mail) : null;
}

/** A stored e-mail as an SMTP server would have received it (from its index line, or the .eml file of an earlier version). */
export async function storedMessage(dataDir: string, file: string): Promise<string | null> {
  if (!/^[\w-]+$/.test(file)) return null;
  const mail = (await allStored(dataDir)).find((m) => m.file === file);
  if (mail?.eml !== undefined) return mail.eml;
  try {
    return await readFile(join(dataDir, 'mail', `${file}.eml`), 'utf8');
  } catch {
    return null;
  }
}
