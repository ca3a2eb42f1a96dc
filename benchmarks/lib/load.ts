import http from 'node:http';
import { summarise } from './stats.js';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Status codes seen, e.g. { "200": 1234, "409": 3 }. */
  statuses: Record<string, number>;
  /** Responses outside `expected` statuses, and network failures. */
  errors: number;
}

/**
 * Keep-alive sockets, at most 64 to the service: like a reverse proxy in front
 * of it. Above that, requests queue here and the wait counts as latency.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Sends one request and reads the whole answer; the status, or 'network' when it never came, and
 * which instance answered when a balancer says so (x-served-by).
 */
export function send(
  baseUrl: string,
  request: LoadRequest,
): Promise<{ status: number | 'network'; body: string; servedBy?: string }> {
  return new Promise((resolve) => {
    const payload = request.body !== undefined ? JSON.stringify(request.body) : undefined;
    const req = http.request(
      baseUrl + request.path,
      {
        method: request.method,
        agent,
        headers: {
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...request.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const servedBy = res.headers['x-served-by'];
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ...(typeof servedBy === 'string' ? { servedBy } : {}),
          }),
        );
        res.on('error', () => resolve({ status: 'network', body: '' }));
      },
    );
    req.on('error', () => resolve({ status: 'network', body: '' }));
    req.end(payload);
  });
}

/**
 * A closed-loop load generator: `connections` workers each send a request,
 * wait for the answer, and send the next, for `seconds`. Every latency is
 * recorded, so percentiles are exact (autocannon reports no p95).
 */
export async function runLoad(options: {
  baseUrl: string;
  connections: number;
  seconds: number;
  next: (worker: number, i: number) => LoadRequest | Promise<LoadRequest>;
  expected: (status: number) => boolean;
  onResponse?: (request: LoadRequest, status: number, body: string) => void;
  /** An empty array that receives every latency (ms), for a caller that pools or resamples them. */
  samples?: number[];
  /** Sends a request (send() by default; RawHttpClient's costs the load generator less CPU). */
  send?: (request: LoadRequest) => Promise<{ status: number | 'network'; body: string }>;
}): Promise<LoadResult> {
  const latencies: number[] = options.samples ?? [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const sender = options.send ?? ((request: LoadRequest) => send(options.baseUrl, request));
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  const worker = async (w: number) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const request = await options.next(w, i);
      const t0 = performance.now();
      const { status, body } = await sender(request);
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 'network' || !options.expected(status)) errors++;
      if (status !== 'network') options.onResponse?.(request, status, body);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, w) => worker(w)));
  const seconds = (performance.now() - started) / 1000;
  const s = summarise(latencies);
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
    statuses,
    errors,
  };
}

/**
 * An open-loop generator: requests start at a fixed rate whatever the answers
 * take, as independent customers would send them, so a slow server shows up
 * as latency (and a backlog), not as a politely lower request rate.
 */
export async function runRate(options: {
  baseUrl: string;
  rate: number;
  seconds: number;
  next: (i: number) => LoadRequest | Promise<LoadRequest>;
  expected: (status: number) => boolean;
  onResponse?: (request: LoadRequest, status: number, body: string) => void;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(options.rate * options.seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      (async () => {
        const request = await options.next(i);
        const t0 = performance.now();
        const { status, body } = await send(options.baseUrl, request);
        latencies.push(performance.now() - t0);
        if (status !== 'network') options.onResponse?.(request, status, body);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 'network' || !options.expected(status)) errors++;
      })(),
    );
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - started) / 1000;
  const s = summarise(latencies);
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
    statuses,
    errors,
  };
}
