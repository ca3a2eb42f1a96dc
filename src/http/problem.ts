import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, type DomainErrorKind } from '../domain/errors.js';

/** One failing field of a request, named as the client sent it: "body.customer.phone". */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem the client can act on. Thrown anywhere below a route;
 * the error handler writes it as application/problem+json.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> & { errors?: FieldError[] } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  static badField(field: string, message: string, status = 400): HttpProblem {
    return new HttpProblem(
      status,
      status === 422 ? 'Unprocessable request' : 'Invalid request',
      `${field}: ${message}`,
      {
        field,
        errors: [{ field, message }],
      },
    );
  }

  static notFound(what: string): HttpProblem {
    return new HttpProblem(404, 'Not found', `${what} not found`);
  }
}

const PROBLEM_TYPE_BASE = 'https://tournee.dev/problems/';

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: PROBLEM_TYPE_BASE + slug(problem.title),
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      instance: reply.request.url.split('?')[0],
      ...problem.extra,
    });
}

/** Fastify's own client errors (bad JSON, wrong content type, body too large) by code. */
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; title: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, title: 'Invalid request' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, title: 'Invalid request' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, title: 'Invalid request' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, title: 'Payload too large' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, title: 'Unsupported media type' },
};

/** Errors from node-postgres / PGlite meaning the database cannot be reached right now. */
function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (!e || typeof e !== 'object') return false;
  if (
    e.code &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      // too_many_connections: the server's (or role's) connection limit is reached, by us or others
      '53300',
      '08006',
      '08001',
      '08003',
      '08000',
    ].includes(e.code)
  )
    return true;
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    e.message ?? '',
  );
}

function zodPathToField(httpPart: string | undefined, instancePath: string): string {
  const path = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'body');
  return path ? `${part}.${path}` : part;
}

const DOMAIN_STATUS: Record<DomainErrorKind, { status: number; title: string }> = {
  invalid: { status: 400, title: 'Invalid request' },
  unprocessable: { status: 422, title: 'Unprocessable request' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  forbidden: { status: 403, title: 'Forbidden' },
  'too-late': { status: 409, title: 'Too late to change' },
  'too-many': { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

/** Customers read these messages: French unless the client asks for English. */
function prefersEnglish(acceptLanguage: string | undefined): boolean {
  return /^\s*en\b/i.test(acceptLanguage ?? '');
}

export function domainProblem(error: DomainError, acceptLanguage?: string): HttpProblem {
  const { status, title } = DOMAIN_STATUS[error.kind];
  return new HttpProblem(
    status,
    title,
    prefersEnglish(acceptLanguage) ? error.wording.en : error.wording.fr,
    {
      code: error.code,
      ...(error.field
        ? { field: error.field, errors: [{ field: error.field, message: error.wording.en }] }
        : {}),
      ...error.extra,
    },
  );
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    sendProblem(
      reply,
      new HttpProblem(404, 'Not found', `No route ${request.method} ${request.url.split('?')[0]}`),
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error);
    if (error instanceof DomainError)
      return sendProblem(reply, domainProblem(error, request.headers['accept-language']));

    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors: FieldError[] = error.validation.map((v) => ({
        field: zodPathToField(error.validationContext, v.instancePath),
        message: v.message ?? 'is invalid',
      }));
      const first = errors[0] ?? {
        field: zodPathToField(error.validationContext, ''),
        message: 'is invalid',
      };
      return sendProblem(
        reply,
        new HttpProblem(400, 'Invalid request', `${first.field}: ${first.message}`, {
          field: first.field,
          errors,
        }),
      );
    }

    const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
    if (known)
      return sendProblem(reply, new HttpProblem(known.status, known.title, error.message, { field: 'body' }));

    if (error.statusCode === 429) {
      return sendProblem(reply, new HttpProblem(429, 'Too many requests', 'Too many requests: retry later.'));
    }

    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error, route: request.routeOptions.url }, 'database unavailable');
      return sendProblem(
        reply,
        new HttpProblem(
          503,
          'Service unavailable',
          'The service is temporarily unavailable; retry shortly.',
          {},
          { 'retry-after': '2' },
        ),
      );
    }

    if (
      error.statusCode &&
      error.statusCode >= 400 &&
      error.statusCode < 500 &&
      !isResponseSerializationError(error)
    ) {
      return sendProblem(reply, new HttpProblem(error.statusCode, 'Invalid request', error.message));
    }

    request.log.error({ err: error, route: request.routeOptions.url }, 'unhandled error');
    return sendProblem(reply, new HttpProblem(500, 'Internal error', 'Something went wrong on our side.'));
  });
}

/** Node's parser errors by code: what the client did wrong, before any route ran. */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  ERR_HTTP_HEADERS_TIMEOUT: 408,
};

/** Fastify's clientErrorHandler: the same problem+json as every other error, then the connection closes. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (socket.destroyed) return;
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const detail =
    status === 431
      ? 'The request headers are too large.'
      : status === 408
        ? 'The request took too long to arrive.'
        : 'The request could not be parsed.';
  const body = JSON.stringify({ type: PROBLEM_TYPE_BASE + slug(title), title, status, detail });
  if ((socket as Duplex & { writable?: boolean }).writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
