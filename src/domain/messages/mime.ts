import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import * as mimeFuncs from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import * as base64 from 'nodemailer/lib/base64';
import * as qp from 'nodemailer/lib/qp';

export interface ComposedMail {
  /** The message as an SMTP server receives it: every line ending CRLF. */
  message: Buffer;
  /** The SMTP envelope (sender, recipients), read from the headers when asked for. */
  readonly envelope: { from: string | false; to: string[] };
}

/**
 * The List-* headers (RFC 2369) as nodemailer's mailer adds them after compiling (MailMessage
 * setListHeaders): `<url> (comment)`, one header per entry, an array entry's values joined. Only
 * the plain case is written here (an http(s) or mailto URL, an ASCII comment; ours are): anything
 * else throws rather than being written differently.
 */
function addListHeaders(node: MimeNode, list: NonNullable<Mail.Options['list']>): void {
  const format = (value: Mail.ListHeader): string => {
    const { url, comment } = typeof value === 'string' ? { url: value, comment: undefined } : value;
    if (!/^(https?|mailto):[^\s<>\x00-\x1f\x7f]+$/.test(url) || !/^[\x20-\x7e]*$/.test(comment ?? '')) {
      throw new Error(
        'composeMail: a List-* header takes a plain http(s) or mailto URL and an ASCII comment',
      );
    }
    return `<${url}>${comment ? ` (${comment.replace(/[()\\]/g, '\\$&')})` : ''}`;
  };
  for (const [key, entries] of Object.entries(list)) {
    for (const entry of ([] as (Mail.ListHeader | Mail.ListHeader[])[]).concat(entries)) {
      const value = ([] as Mail.ListHeader[]).concat(entry).map(format).join(', ');
      node.addHeader(`list-${key.toLowerCase().trim()}`, { prepared: true, foldLines: true, value });
    }
  }
}

/** qp.Encoder's slice: it encodes and wraps its input this many bytes at a time. */
const QP_SLICE = 64 * 1024;

/**
 * Quoted-printable as nodemailer's qp.Encoder stream writes a content given in one piece (not
 * `wrap(encode(all))`, which breaks lines differently near the end): the whitespace the content
 * ends with is held back and encoded last; the rest is encoded 64 KB at a time, each slice wrapped
 * after the line the previous one left open, a space or tab ending a slice kept literal when the
 * next byte is not a line break (what the encoder's `next` byte decides).
 */
function qpEncoded(content: string | Buffer): string {
  const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let end = buffer.length;
  while (end > 0 && (buffer[end - 1] === 0x20 || buffer[end - 1] === 0x09)) end--;
  if (buffer.length - end > QP_SLICE) end = buffer.length;
  let out = '';
  let line = '';
  for (const part of [buffer.subarray(0, end), buffer.subarray(end)]) {
    for (let from = 0; from < part.length; from += QP_SLICE) {
      const slice = part.subarray(from, from + QP_SLICE);
      const next = from + QP_SLICE < part.length ? part[from + QP_SLICE] : undefined;
      let encoded = qp.encode(slice);
      const last = slice[slice.length - 1];
      if (next !== undefined && next !== 0x0a && next !== 0x0d && (last === 0x20 || last === 0x09)) {
        encoded = encoded.slice(0, -3) + String.fromCharCode(last);
      }
      const wrapped = qp.wrap(line + encoded, 76);
      const lastBreak = wrapped.lastIndexOf('\n');
      out += wrapped.substring(0, lastBreak + 1);
      line = wrapped.substring(lastBreak + 1);
    }
  }
  return out + line;
}

/** A node's content as its Content-Transfer-Encoding writes it (the encoders nodemailer's streams use, whole). */
function encodedContent(node: MimeNode, transferEncoding: string): string {
  const content = node.content;
  if (content === undefined || content === null || content === '') return '';
  if (typeof content !== 'string' && !Buffer.isBuffer(content)) {
    throw new Error('composeMail: only string and Buffer contents are composed in one piece');
  }
  return encodedText(content, transferEncoding);
}

/** One node and its children, as MimeNode.stream() writes them, into `out`. */
function serialize(node: MimeNode, out: string[]): void {
  // buildHeaders decides the transfer encoding (a scan of the content) and sets the node's
  // multipart subtype and boundary; its choice is read back from the header it wrote.
  const headers = node.buildHeaders();
  const transferEncoding = String(node.getHeader('Content-Transfer-Encoding') ?? '').toLowerCase();
  out.push(headers, '\r\n\r\n', encodedContent(node, transferEncoding));
  if (!node.multipart) return;
  node.childNodes.forEach((child, i) => {
    out.push(`${i > 0 ? '\r\n' : ''}--${String(node.boundary)}\r\n`);
    serialize(child, out);
  });
  out.push(`\r\n--${String(node.boundary)}--\r\n`);
}

/** A text part's Content-Transfer-Encoding, as MimeNode.getTransferEncoding chooses it for a string. */
function textTransferEncoding(content: string): string {
  if (mimeFuncs.isPlainText(content) && !mimeFuncs.hasLongerLines(content, 76)) return '7bit';
  // MimeNode._getTextEncoding: quoted-printable when Latin letters outnumber the rest (8-bit, controls).
  let nonLatin = 0;
  let latin = 0;
  for (let i = 0; i < content.length; i++) {
    const code = content.charCodeAt(i);
    if (code <= 0x08 || code === 0x0b || code === 0x0c || (code >= 0x0e && code <= 0x1f) || code >= 0x80) {
      nonLatin++;
    } else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) {
      latin++;
    }
  }
  return nonLatin < latin ? 'quoted-printable' : 'base64';
}

/**
 * A content as its Content-Transfer-Encoding writes it. Only text parts are quoted-printable here
 * (attachments go base64): a line break in them is one.
 */
function encodedText(content: string | Buffer, transferEncoding: string): string {
  if (transferEncoding === 'quoted-printable') return qpEncoded(content);
  if (transferEncoding === 'base64') return base64.wrap(base64.encode(content), 76);
  return typeof content === 'string' ? content : content.toString('utf8');
}

/** A text part (text/plain, text/html, text/calendar), headers and content, as nodemailer writes it. */
function textPart(type: string, content: string, parameters = ''): string {
  const encoding = textTransferEncoding(content);
  return `Content-Type: ${type}; charset=utf-8${parameters}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${encodedText(content, encoding)}`;
}

/** The parts of a multipart body, between its boundaries, as MimeNode.stream() writes them. */
function multipart(boundary: string, parts: string[]): string {
  return `${parts.map((part, i) => `${i > 0 ? '\r\n' : ''}--${boundary}\r\n${part}`).join('')}\r\n--${boundary}--\r\n`;
}

/** Plain enough to write as nodemailer would without asking it (a filename, a calendar method). */
const PLAIN_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Our e-mails' shape (mail-deliverer.ts): text and HTML as strings, perhaps an invitation (an
 * icalEvent with a plain method and filename), no attachments or alternatives of their own, no
 * options that change how nodemailer writes the parts. Anything else takes the general path.
 */
export function isOurShape(mail: Mail.Options): mail is Mail.Options & { text: string; html: string } {
  const known = new Set([
    'from',
    'to',
    'subject',
    'text',
    'html',
    'date',
    'messageId',
    'headers',
    'list',
    'icalEvent',
    'baseBoundary',
  ]);
  if (
    !Object.keys(mail).every((key) => known.has(key) || (mail as Record<string, unknown>)[key] === undefined)
  )
    return false;
  if (typeof mail.text !== 'string' || typeof mail.html !== 'string' || !mail.text || !mail.html)
    return false;
  if (mail.icalEvent === undefined) return true;
  const ical = mail.icalEvent as { content?: unknown };
  if (typeof ical !== 'object' || ical === null || typeof ical.content !== 'string' || !ical.content)
    return false;
  const {
    method,
    filename,
    content: _content,
    ...rest
  } = ical as {
    method?: string;
    filename?: string;
    content: string;
  };
  return (
    Object.keys(rest).length === 0 &&
    typeof method === 'string' &&
    PLAIN_TOKEN.test(method) &&
    typeof filename === 'string' &&
    PLAIN_TOKEN.test(filename)
  );
}

/**
 * composeMail for our e-mails' shape: the root's headers by nodemailer's MimeNode (addresses, encoded
 * words, folding, Message-ID, Date), the parts below it written here, as MailComposer lays them out
 * and MimeNode writes them: multipart/alternative (text, HTML, the text/calendar invitation) inside
 * multipart/mixed with the invitation as a file, or the alternative alone. Building and heading the
 * five child nodes was two thirds of composing (0.3 of 0.45 ms an e-mail).
 */
function composeOurs(mail: Mail.Options & { text: string; html: string }): ComposedMail {
  const ical = mail.icalEvent as { method: string; filename: string; content: string } | undefined;
  const root = new MimeNode(ical ? 'multipart/mixed' : 'multipart/alternative', {
    baseBoundary: mail.baseBoundary ?? randomUUID().replace(/-/g, ''),
  });
  if (mail.headers) root.addHeader(mail.headers as Parameters<MimeNode['addHeader']>[0]);
  if (mail.from) root.setHeader('from', mail.from as Parameters<MimeNode['setHeader']>[1]);
  if (mail.to) root.setHeader('to', mail.to as Parameters<MimeNode['setHeader']>[1]);
  if (mail.subject) root.setHeader('subject', mail.subject);
  if (mail.messageId) root.setHeader('message-id', mail.messageId);
  if (mail.date) root.setHeader('date', mail.date as Parameters<MimeNode['setHeader']>[1]);
  root.messageId();
  if (mail.list) addListHeaders(root, mail.list);
  const headers = root.buildHeaders();
  // The same boundaries MimeNode gives its nodes: the root is part 1, the alternative inside the mixed one part 2.
  const boundaryOf = (part: number) => `${root.boundaryPrefix}-${root.baseBoundary}-Part_${part}`;
  const alternatives = [textPart('text/plain', mail.text), textPart('text/html', mail.html)];
  let body: string;
  if (ical) {
    alternatives.push(textPart('text/calendar', ical.content, `; method=${ical.method}`));
    const alternative = boundaryOf(2);
    const file =
      `Content-Type: application/ics; name=${ical.filename}\r\nContent-Disposition: attachment; filename=${ical.filename}\r\n` +
      `Content-Transfer-Encoding: base64\r\n\r\n${encodedText(ical.content, 'base64')}`;
    body = multipart(boundaryOf(1), [
      `${mimeFuncs.foldLines(`Content-Type: multipart/alternative; boundary="${alternative}"`, 76)}\r\n\r\n${multipart(alternative, alternatives)}`,
      file,
    ]);
  } else {
    body = multipart(boundaryOf(1), alternatives);
  }
  const text = `${headers}\r\n\r\n${body}`.replace(/\r?\n/g, '\r\n');
  return {
    message: Buffer.from(text, 'utf8'),
    get envelope() {
      const { from, to } = root.getEnvelope();
      return { from, to };
    },
  };
}

/**
 * An e-mail composed in one synchronous pass: nodemailer's MailComposer builds the MIME tree and
 * each node's headers, nodemailer's quoted-printable and base64 encoders encode the contents, and
 * the parts are joined here instead of by nodemailer's streams (a stream per part, a pipeline and
 * an AbortController each, a turn of the event loop between parts): the same bytes as nodemailer's
 * stream transport with `newline: 'windows'` (test/messages/mime.test.ts holds them equal), for a
 * third of the CPU. Contents must be strings or Buffers (ours are); the List-* headers are written
 * as nodemailer's mailer writes them.
 */
export function composeMail(mail: Mail.Options): ComposedMail {
  if (isOurShape(mail)) return composeOurs(mail);
  // One random boundary base for the message, not crypto.randomBytes for every node of it.
  const node = new MailComposer({
    baseBoundary: randomUUID().replace(/-/g, ''),
    ...mail,
  } as ConstructorParameters<typeof MailComposer>[0]).compile();
  if (mail.list) addListHeaders(node, mail.list);
  const out: string[] = [];
  serialize(node, out);
  const text = out.join('').replace(/\r?\n/g, '\r\n');
  return {
    message: Buffer.from(text, 'utf8'),
    get envelope() {
      const { from, to } = node.getEnvelope();
      return { from, to };
    },
  };
}
