/**
 * Failed bearer-token attempts per client address, so a script cannot try tokens at the speed of the
 * network (issue 18 item 10): past `limit` failures in a minute the address gets 429 until the minute
 * is over, whatever token it sends. In memory, per instance: behind a balancer of n instances an address
 * gets at most n × limit tries a minute, which is what matters against guessing a 256-bit token.
 */
const WINDOW_MS = 60_000;
/** Addresses remembered at most; the oldest are forgotten first (a flood of addresses cannot grow memory). */
const MAX_ADDRESSES = 10_000;

export class FailedLogins {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limit: number) {}

  /** Seconds until this address may try again, or 0 when it may now. */
  retryAfter(address: string, now: number): number {
    if (this.limit === 0) return 0;
    const recent = this.recent(address, now);
    if (recent.length < this.limit) return 0;
    return Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000));
  }

  record(address: string, now: number): void {
    if (this.limit === 0) return;
    const recent = this.recent(address, now);
    recent.push(now);
    // Re-inserted last: Map iteration order makes the first key the least recently failed address.
    this.failures.delete(address);
    this.failures.set(address, recent.slice(-this.limit));
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(address: string, now: number): number[] {
    return (this.failures.get(address) ?? []).filter((t) => t > now - WINDOW_MS);
  }
}

const perApp = new WeakMap<object, FailedLogins>();

/** The one record of an app (keyed by its context), shared by the admin scope and the public routes. */
export function failedLoginsOf(ctx: { config: { TOURNEE_AUTH_FAILURE_LIMIT: number } }): FailedLogins {
  let record = perApp.get(ctx);
  if (!record) {
    record = new FailedLogins(ctx.config.TOURNEE_AUTH_FAILURE_LIMIT);
    perApp.set(ctx, record);
  }
  return record;
}
