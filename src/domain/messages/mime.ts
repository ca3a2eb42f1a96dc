import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import type MimeNode from 'nodemailer/lib/mime-node';
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

/** A node's content as its Content-Transfer-Encoding writes it (the encoders nodemailer's streams use, whole). */
function encodedContent(node: MimeNode, transferEncoding: string): string {
  const content = node.content;
  if (content === undefined || content === null || content === '') return '';
  if (typeof content !== 'string' && !Buffer.isBuffer(content)) {
    throw new Error('composeMail: only string and Buffer contents are composed in one piece');
  }
  if (transferEncoding === 'base64') return base64.wrap(base64.encode(content), 76);
  if (transferEncoding === 'quoted-printable') {
    // Only text parts are quoted-printable here (attachments go base64): a line break in them is one.
    return qp.wrap(qp.encode(content), 76);
  }
  return typeof content === 'string' ? content : content.toString('utf8');
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
