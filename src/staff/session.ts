/**
 * What the staff pages (desk, planner) share to talk to the service: a bearer
 * token kept in sessionStorage (never a cookie, never in a URL, gone with the
 * tab) and one way to call the API and read its problems in French.
 */

import { frenchProblem, type ProblemBody } from './problems.js';

/** An RFC 9457 problem, in French: the service's own wording, or the page's (see problems.ts). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The field the problem names, when it names one. */
    readonly field?: string,
    /** The service's machine-readable code, when it gives one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface StaffSession {
  storedToken(): string | null;
  storeToken(token: string | null): void;
  call<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders?: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T>;
}

/**
 * A session for one page. `unauthorisedEvent`, when given, is dispatched on
 * `window` for every 401, so every part of the page can go back to the token
 * form the same way.
 */
export function staffSession(page: 'desk' | 'planner', unauthorisedEvent?: string): StaffSession {
  const key = `tournee.${page}.token`;
  const storedToken = () => sessionStorage.getItem(key);
  return {
    storedToken,
    storeToken(token) {
      if (token) sessionStorage.setItem(key, token);
      else sessionStorage.removeItem(key);
    },
    async call<T>(
      method: string,
      path: string,
      body?: unknown,
      extraHeaders: Record<string, string> = {},
      signal?: AbortSignal,
    ): Promise<T> {
      const headers: Record<string, string> = {
        authorization: `Bearer ${storedToken() ?? ''}`,
        'accept-language': 'fr',
        ...extraHeaders,
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetch(path, {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new ApiError(0, 'Le service ne répond pas. Réessayez dans un instant.');
      }
      // Given up while the body was still arriving (the search text changed): an abort, as when the
      // fetch itself is given up. Read as an empty body, it passed for a 200 answer without its items.
      const payload = (await response.json().catch((error: unknown) => {
        if (signal?.aborted) throw error;
        return {};
      })) as ProblemBody;
      if (response.status === 401 && unauthorisedEvent) window.dispatchEvent(new Event(unauthorisedEvent));
      if (!response.ok)
        throw new ApiError(
          response.status,
          frenchProblem(response.status, payload, page),
          payload.field ?? payload.errors?.[0]?.field,
          payload.code,
        );
      return payload as T;
    },
  };
}
