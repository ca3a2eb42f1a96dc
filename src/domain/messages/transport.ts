import { mkdirSync, writeFileSync } from 'node:fs';
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
 * The folder transport: each e-mail as the exact .eml an SMTP server would get (CRLF line ends, as
 * SMTP carries them; until 2026-12-02 written with Unix ones, which cost nodemailer a newline
 * transform stream), plus a summary to list it.
 */
export function folderTransport(dataDir: string): MailTransport {
  const dir = join(dataDir, 'mail');
  // Made once (and again only if it went missing), not before every e-mail.
  let made = false;
  // Written synchronously: two small files on the local disk take tens of microseconds, less than
  // composing the e-mail (synchronous too), while the promise API's open, write and close, each a
  // trip to libuv's thread pool, cost 0.3-0.6 ms of CPU an e-mail (bench:outbox-drain profile).
  const write = (file: string, content: string | Buffer) => {
    if (!made) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      made = true;
    }
    try {
      writeFileSync(file, content, { mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, content, { mode: 0o600 });
    }
  };
  return {
    kind: 'folder',
    async send(mail) {
      const { message } = composeMail(mail);
      const date = (mail.date instanceof Date ? mail.date : new Date()).toISOString().replace(/[:.]/g, '-');
      const id = String(mail.messageId ?? '')
        .replace(/[^A-Za-z0-9-]/g, '')
        .slice(0, 40);
      const file = `${date}-${id}`;
      const summary: StoredMail = {
        file,
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
      };
      write(join(dir, `${file}.eml`), message);
      write(join(dir, `${file}.json`), JSON.stringify(summary));
    },
    close: () => {},
  };
}

/** The stored e-mails, newest first (for /dev/mail). */
export async function storedMails(dataDir: string, limit = 200): Promise<StoredMail[]> {
  const dir = join(dataDir, 'mail');
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  files.sort().reverse();
  return Promise.all(
    files.slice(0, limit).map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as StoredMail),
  );
}

export async function storedMail(dataDir: string, file: string): Promise<StoredMail | null> {
  if (!/^[\w-]+$/.test(file)) return null;
  try {
    return JSON.parse(await readFile(join(dataDir, 'mail', `${file}.json`), 'utf8')) as StoredMail;
  } catch {
    return null;
  }
}
