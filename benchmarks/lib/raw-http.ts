import { connect, type Socket } from 'node:net';
import type { LoadRequest } from './load.js';

export type Answer = { status: number | 'network'; body: string };

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * One kept-alive HTTP/1.1 connection: a request written in one write, its answer read by
 * content-length (or chunks), one request at a time.
 */
class Connection {
  private chunks: Buffer[] = [];
  private size = 0;
  private pending: ((answer: Answer) => void) | undefined;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly onClose: (connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    const end = () => {
      if (this.closed) return;
      this.closed = true;
      this.onClose(this);
      this.finish({ status: 'network', body: '' });
    };
    socket.on('error', end);
    socket.on('close', end);
  }

  send(head: string, payload: string | undefined): Promise<Answer> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.socket.write(payload === undefined ? head : head + payload);
    });
  }

  private finish(answer: Answer): void {
    const resolve = this.pending;
    this.pending = undefined;
    this.chunks = [];
    this.size = 0;
    resolve?.(answer);
  }

  private received(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.size);
    const headerEnd = data.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = data.toString('latin1', 0, headerEnd).toLowerCase();
    const status = Number(head.slice(9, 12));
    const bodyStart = headerEnd + 4;
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    let body: string;
    if (length) {
      const end = bodyStart + Number(length[1]);
      if (data.length < end) return;
      body = data.toString('utf8', bodyStart, end);
    } else if (/\r\ntransfer-encoding: *chunked/.test(head)) {
      const decoded = dechunk(data, bodyStart);
      if (decoded === undefined) return;
      body = decoded;
    } else body = '';
    const close = /\r\nconnection: *close/.test(head);
    this.finish({ status, body });
    if (close) this.socket.destroy();
  }
}

/** A chunked body once its last chunk arrived, else undefined. */
function dechunk(data: Buffer, from: number): string | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.toString('latin1', at, lineEnd), 16);
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    const start = lineEnd + 2;
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}

/**
 * HTTP/1.1 requests on kept-alive sockets, written and parsed by hand: a load generator on the
 * service's own machine takes its cores from it, and node:http's client cost bench:api ~1.7 ms of
 * CPU a booking cycle (three requests). The requests are those a browser sends (same method, path,
 * headers and JSON body); only the client's own bookkeeping is less. Idle sockets are reused, one
 * request at a time each; one the service closed is dropped, and a request that meets a closing
 * socket answers 'network', as send() does.
 */
export class RawHttpClient {
  private readonly idle: Connection[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:') throw new Error(`RawHttpClient: plain http only, not ${baseUrl}`);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
  }

  async send(request: LoadRequest): Promise<Answer> {
    const payload = request.body !== undefined ? JSON.stringify(request.body) : undefined;
    let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    if (payload !== undefined)
      head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n`;
    for (const [name, value] of Object.entries(request.headers ?? {})) head += `${name}: ${value}\r\n`;
    head += '\r\n';
    const connection = this.idle.pop() ?? (await this.open());
    if (!connection) return { status: 'network', body: '' };
    const answer = await connection.send(head, payload);
    if (!connection.closed) this.idle.push(connection);
    return answer;
  }

  private open(): Promise<Connection | undefined> {
    return new Promise((resolve) => {
      const socket = connect(this.port, this.host);
      const connection = new Connection(socket, (c) => {
        const at = this.idle.indexOf(c);
        if (at >= 0) this.idle.splice(at, 1);
      });
      socket.once('connect', () => resolve(connection));
      socket.once('error', () => resolve(undefined));
    });
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.socket.destroy();
  }
}
