import { randomUUID } from 'node:crypto';
import type { DatabaseHandle } from '../../src/db/database.js';
import { solveChallenge } from '../../src/domain/challenge.js';
import { send, type LoadRequest } from './load.js';

/** An offered window; `needsMoves` when moving a few booked visits opens it (sent back when booking). */
type Window = { start: string; end: string; needsMoves?: true };
type Challenge = { challenge: string; difficulty: number };

/** Customer n's network address (X-Forwarded-For): one per customer. */
const addressOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
export interface Combo {
  serviceId: string;
  postcode: string;
}

/** Every (service, served postcode) pair of the loaded company. */
export async function bookingCombos(baseUrl: string, handle: DatabaseHandle): Promise<Combo[]> {
  const services = (await (await fetch(`${baseUrl}/v1/services`)).json()) as { services: { id: string }[] };
  const postcodes = (
    await handle.db.selectFrom('zone_postcodes').select('postcode').distinct().execute()
  ).map((r) => r.postcode);
  return services.services.flatMap((s) => postcodes.map((p) => ({ serviceId: s.id, postcode: p })));
}

/**
 * Customers booking: each asks the windows of a random (service, postcode) (cached per pair until
 * a 409 for that pair says they went stale) and books one as the widget does (`needsMoves: true` on a
 * window offered by moving visits). As customers, a customer who read the windows solves
 * the challenge that answer carried (as the widget does); one given remembered windows asks GET
 * /v1/challenge. With `cancelEach`, a booking made is cancelled (untimed,
 * with its manage token) before the next one starts, so a long run does not fill the company up.
 */
export function bookingTraffic(
  baseUrl: string,
  combos: Combo[],
  options: {
    cancelEach: boolean;
    /**
     * Book as distinct customers from distinct addresses (X-Forwarded-For, for a service started with
     * TOURNEE_TRUST_PROXY=1), each fetching a proof-of-work challenge and solving it first: the
     * server then does all a real customer's booking costs it (challenge, verification, spent
     * challenge, caps counted) while the caps, which count per customer and per address, never bite.
     */
    asCustomers?: boolean;
    /** Sends the untimed requests (send() by default): the timed ones' client, to share their sockets. */
    send?: (request: LoadRequest) => Promise<{ status: number | 'network'; body: string }>;
  },
) {
  const sender = options.send ?? ((request: LoadRequest) => send(baseUrl, request));
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const windowCache = new Map<string, Window[]>();
  const toCancel: { id: string; token: string }[] = [];
  let customer = 1 + Math.floor(rand() * 1_000_000);
  /** The untimed requests sent so far, by kind: what a timed booking brings along. */
  const untimedSent = { cancel: 0, slots: 0, challenge: 0 };

  /**
   * An untimed request of the cycle whose answer is needed. A kept-alive socket the service closed as
   * it was reused fails with no answer ('network'): sent again once on a fresh socket, as fetch did
   * on its own; a second failure names the request.
   */
  const untimed = async (request: LoadRequest): Promise<string> => {
    for (let attempt = 1; ; attempt++) {
      const { status, body } = await sender(request);
      if (status !== 'network') return body;
      if (attempt === 2) throw new Error(`${request.method} ${request.path}: no answer from the service`);
    }
  };

  const next = async (): Promise<LoadRequest> => {
    const made = options.cancelEach ? toCancel.shift() : undefined;
    // The untimed requests go through the timed one's client (keep-alive http): fetch cost this load
    // generator 5× the CPU per request, on the cores the service needs.
    if (made) {
      untimedSent.cancel++;
      await untimed({
        method: 'POST',
        path: `/v1/bookings/${made.id}/cancel`,
        headers: { 'x-manage-token': made.token },
      });
    }
    const c = pick(combos);
    const cacheKey = `${c.serviceId}:${c.postcode}`;
    let windows = windowCache.get(cacheKey);
    // The challenge the windows' answer carried, when this customer read them (as the widget solves it).
    let offered: Challenge | undefined;
    if (!windows) {
      untimedSent.slots++;
      const answer = await sender({
        method: 'GET',
        path: `/v1/slots?serviceId=${c.serviceId}&postcode=${c.postcode}`,
        ...(options.asCustomers ? { headers: { 'x-forwarded-for': addressOf(customer) } } : {}),
      });
      // A failed read (a socket closed under a saturated host) is not an empty calendar: not kept,
      // and this booking goes to a window that does not exist (422, counted as such).
      if (answer.status === 200) {
        const res = JSON.parse(answer.body) as { days?: { windows: Window[] }[]; challenge?: Challenge };
        windows = (res.days ?? []).flatMap((d) => d.windows);
        windowCache.set(cacheKey, windows);
        offered = res.challenge;
      } else windows = [];
    }
    const window = windows.length
      ? pick(windows)
      : { start: '2000-01-01T08:00:00+01:00', end: '2000-01-01T10:00:00+01:00' };
    const body = {
      serviceId: c.serviceId,
      window: { start: window.start, end: window.end },
      ...(window.needsMoves ? { needsMoves: true } : {}),
      customer: { name: 'Client Bench', phone: '06 12 34 56 78', email: 'bench@example.fr' },
      address: { line: '1 rue du Test', postcode: c.postcode, city: 'Lyon' },
      consent: true,
      website: '',
    };
    if (!options.asCustomers)
      return { method: 'POST', path: '/v1/bookings', headers: { 'idempotency-key': randomUUID() }, body };
    const n = customer++;
    const digits = String(n).padStart(8, '0').slice(-8);
    const address = addressOf(n);
    // Windows remembered from an earlier customer came without a challenge for this one: it asks.
    if (!offered) untimedSent.challenge++;
    const challenge =
      offered ??
      (JSON.parse(
        await untimed({ method: 'GET', path: '/v1/challenge', headers: { 'x-forwarded-for': address } }),
      ) as Challenge);
    return {
      method: 'POST',
      path: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID(), 'x-forwarded-for': address },
      body: {
        ...body,
        customer: {
          name: 'Client Bench',
          phone: `06 ${digits.replace(/(\d\d)(?=\d)/g, '$1 ')}`,
          email: `bench.${n}@example.fr`,
        },
        pow: {
          challenge: challenge.challenge,
          nonce: solveChallenge(challenge.challenge, challenge.difficulty),
        },
      },
    };
  };

  const onResponse = (request: LoadRequest, status: number, body: string) => {
    // Only the refused pair's windows went stale for this customer; the others' still stand.
    if (status === 409) {
      const refused = request.body as { serviceId: string; address: { postcode: string } };
      windowCache.delete(`${refused.serviceId}:${refused.address.postcode}`);
    }
    if (status === 201 && options.cancelEach) {
      const created = JSON.parse(body) as { booking: { id: string }; manageUrl?: string };
      // The manage link is /manage#<id>.<token>; the .ics link's token is read-only and cannot cancel.
      const fragment = (created.manageUrl ?? '').split('#')[1] ?? '';
      const token = fragment.slice(fragment.indexOf('.') + 1);
      if (token) toCancel.push({ id: created.booking.id, token });
    }
  };

  return { next, onResponse, untimedSent };
}
