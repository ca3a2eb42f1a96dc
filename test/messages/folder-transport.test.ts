import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import {
  folderTransport,
  storedMail,
  storedMails,
  storedMessage,
} from '../../src/domain/messages/transport.js';

/** The folder transport (no SMTP configured): what /dev/mail lists and shows. */
describe('folder transport', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'folder-transport-'));
    dirs.push(dir);
    return dir;
  };
  const mail = (n: number) => ({
    from: 'Duret Électricité <noreply@rdv.example.fr>',
    to: { name: 'Marie Dubois', address: `marie${n}@example.fr` },
    subject: `Votre rendez-vous n° ${n}`,
    text: `Bonjour, rendez-vous ${n}.`,
    html: `<p>Bonjour, rendez-vous ${n}.</p>`,
    messageId: `<message-${n}@rdv.example.fr>`,
    date: new Date(Date.UTC(2026, 11, 2, 9, 0, n)),
  });

  it('keeps each e-mail in the index with its message, lists the summaries newest first, one found by its file', async () => {
    const dir = dataDir();
    const transport = folderTransport(dir);
    for (const n of [1, 2, 3]) await transport.send(mail(n));
    transport.close();

    // No new file an e-mail: each goes to the index, one line.
    expect(readdirSync(join(dir, 'mail'))).toEqual(['index.jsonl']);
    expect(
      readFileSync(join(dir, 'mail', 'index.jsonl'), 'utf8')
        .trimEnd()
        .split('\n'),
    ).toHaveLength(3);
    const listed = await storedMails(dir);
    expect(listed.map((m) => m.subject)).toEqual([
      'Votre rendez-vous n° 3',
      'Votre rendez-vous n° 2',
      'Votre rendez-vous n° 1',
    ]);
    expect(listed[0]).toMatchObject({
      to: 'marie3@example.fr',
      messageId: '<message-3@rdv.example.fr>',
      text: 'Bonjour, rendez-vous 3.',
      html: '<p>Bonjour, rendez-vous 3.</p>',
      calendar: null,
    });
    expect(await storedMails(dir, 2)).toHaveLength(2);

    const second = listed[1]!;
    expect(await storedMail(dir, second.file)).toEqual(second);
    expect(await storedMail(dir, 'no-such-mail')).toBeNull();
    expect(await storedMail(dir, '../index')).toBeNull();
    // The message itself, as an SMTP server would get it (CRLF line ends).
    const eml = await storedMessage(dir, second.file);
    expect(eml).toMatch(/^[^\n]*\r\n/);
    expect(eml).not.toMatch(/[^\r]\n/);
    const parsed = await simpleParser(eml!);
    expect(parsed.subject).toBe('Votre rendez-vous n° 2');
    expect(parsed.messageId).toBe('<message-2@rdv.example.fr>');
    expect(parsed.to).toMatchObject({ value: [{ address: 'marie2@example.fr' }] });
    expect(await storedMessage(dir, 'no-such-mail')).toBeNull();
    expect(await storedMessage(dir, '../index')).toBeNull();

    // After a restart (a new transport on the same folder): the earlier e-mails are still listed and
    // read back, the new one goes after them.
    const restarted = folderTransport(dir);
    await restarted.send(mail(4));
    restarted.close();
    expect((await storedMails(dir)).map((m) => m.subject)).toEqual([
      'Votre rendez-vous n° 4',
      'Votre rendez-vous n° 3',
      'Votre rendez-vous n° 2',
      'Votre rendez-vous n° 1',
    ]);
    expect(await storedMessage(dir, second.file)).toBe(eml);
    const fourth = await simpleParser((await storedMessage(dir, (await storedMails(dir))[0]!.file))!);
    expect(fourth.messageId).toBe('<message-4@rdv.example.fr>');
    expect(readdirSync(join(dir, 'mail'))).toEqual(['index.jsonl']);
  });

  it('skips a summary cut short by a crash, still reads the .json summaries and .eml files of earlier versions, and survives a removed folder', async () => {
    const dir = dataDir();
    const transport = folderTransport(dir);
    await transport.send(mail(1));
    // A crash in the middle of an append leaves half a line.
    appendFileSync(join(dir, 'mail', 'index.jsonl'), '{"file":"2026-12-02T09-00-09');
    // Until 2026-12-02 each summary was a file of its own, and until 2026-12-03 each message.
    const legacy = {
      ...(await storedMails(dir))[0]!,
      file: '2026-12-01T08-00-00-000Z-legacy',
      subject: 'Ancien',
    };
    writeFileSync(join(dir, 'mail', `${legacy.file}.json`), JSON.stringify(legacy));
    writeFileSync(join(dir, 'mail', `${legacy.file}.eml`), 'Subject: Ancien\r\n\r\nBonjour\r\n');
    expect((await storedMails(dir)).map((m) => m.subject)).toEqual(['Votre rendez-vous n° 1', 'Ancien']);
    expect(await storedMail(dir, legacy.file)).toEqual(legacy);
    expect(await storedMessage(dir, legacy.file)).toBe('Subject: Ancien\r\n\r\nBonjour\r\n');

    // The index removed: the next e-mail starts a new one rather than writing to the deleted file.
    unlinkSync(join(dir, 'mail', 'index.jsonl'));
    await transport.send(mail(2));
    expect((await storedMails(dir)).map((m) => m.subject)).toEqual(['Votre rendez-vous n° 2', 'Ancien']);
    // The whole folder removed: made again.
    rmSync(join(dir, 'mail'), { recursive: true });
    await transport.send(mail(3));
    await transport.send(mail(4));
    transport.close();
    expect((await storedMails(dir)).map((m) => m.subject)).toEqual([
      'Votre rendez-vous n° 4',
      'Votre rendez-vous n° 3',
    ]);
  });
});
