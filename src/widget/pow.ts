/**
 * Proof of work for the anti-spam challenge: find a decimal nonce such that
 * SHA-256(challenge + ":" + nonce) starts with `difficulty` zero bits. A
 * person never notices it (it runs while they type); a bot posting thousands
 * of bookings pays for each one.
 */

const BATCH = 256;

export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Yields to the event loop so typing stays fluid while hashing. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function solveChallenge(
  challenge: string,
  difficulty: number,
  signal?: AbortSignal,
): Promise<string> {
  const encoder = new TextEncoder();
  const hash = (nonce: number) => crypto.subtle.digest('SHA-256', encoder.encode(`${challenge}:${nonce}`));
  // Batches of digests in parallel: crypto.subtle is asynchronous, so awaiting one at a time would spend
  // most of the time waiting for the round trip rather than hashing.
  for (let first = 0; ; first += BATCH) {
    if (signal?.aborted) throw new Error('aborted');
    const digests = await Promise.all(Array.from({ length: BATCH }, (_, i) => hash(first + i)));
    const found = digests.findIndex((digest) => leadingZeroBits(new Uint8Array(digest)) >= difficulty);
    if (found >= 0) return String(first + found);
    await nextTask();
  }
}
