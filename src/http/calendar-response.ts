import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BuiltCalendar } from '../domain/calendar.js';

/** The etags of an If-None-Match header; weak prefixes dropped (the comparison is weak, RFC 9110 §13.1.2). */
function ifNoneMatchTags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .filter(Boolean);
}

/** HTTP dates have whole seconds: compare what the client could have been sent. */
function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Whether the client's copy is current. If-None-Match, when present, decides alone. */
export function isNotModified(request: FastifyRequest, calendar: BuiltCalendar): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string') {
    const tags = ifNoneMatchTags(ifNoneMatch);
    return tags.includes('*') || tags.includes(calendar.etag);
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (typeof ifModifiedSince === 'string') {
    const since = Date.parse(ifModifiedSince);
    if (!Number.isNaN(since)) return wholeSeconds(calendar.lastModified) <= Math.floor(since / 1000);
  }
  return false;
}

/**
 * Sends an iCalendar document with its validators, or 304 when the client already has it: phones
 * poll feeds all day, and most polls should cost a query and a hash, not a download.
 */
export function sendCalendar(
  request: FastifyRequest,
  reply: FastifyReply,
  calendar: BuiltCalendar,
  options: { cacheControl: string; attachmentName?: string },
): FastifyReply {
  reply.header('etag', calendar.etag);
  reply.header('last-modified', new Date(wholeSeconds(calendar.lastModified) * 1000).toUTCString());
  reply.header('cache-control', options.cacheControl);
  if (isNotModified(request, calendar)) return reply.code(304).send();
  reply.type('text/calendar; charset=utf-8');
  if (options.attachmentName)
    reply.header('content-disposition', `attachment; filename="${options.attachmentName}"`);
  return reply.code(200).send(calendar.body);
}
