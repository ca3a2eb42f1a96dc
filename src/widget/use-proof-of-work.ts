/**
 * The anti-spam proof of work, solved in the background while the customer types: started when a
 * window is chosen, awaited when they book, forgotten once the service has given a definite answer
 * (a challenge is single-use). The challenge is the one the windows' answer carried when there is
 * one (no request of its own); GET /v1/challenge otherwise, and always after the service refused a
 * proof (a client whose recent bookings raised its difficulty: that endpoint counts them).
 */
import { useMemo, useRef } from 'preact/hooks';
import type { Api, Challenge } from './api.js';
import { solveChallenge } from './pow.js';

export interface Proof {
  challenge: string;
  nonce: string;
}

export interface ProofOfWork {
  /** A challenge that came with the windows: solved by the next start() instead of fetching one. */
  offer(challenge: Challenge): void;
  /** Fetches and solves a challenge unless one is already under way or solved. */
  start(): void;
  /** The solved proof; null when the challenge could not be fetched twice in a row. */
  take(): Promise<Proof | null>;
  /**
   * Forgets the current proof (spent or refused): the next take() solves a fresh one. `refused`: the
   * service refused the proof itself; the next ones come from GET /v1/challenge, never from an offer.
   */
  spend(refused?: boolean): void;
}

/**
 * How long an offered challenge is used after it came (it lives 10 minutes on the service): the
 * customer still has the rest to type their details before it expires. Measured on this page's clock,
 * not against its expiresAt, which is the service's.
 */
const OFFER_FRESH_MS = 4 * 60_000;

export function useProofOfWork(api: Api): ProofOfWork {
  const proof = useRef<Promise<Proof | null> | null>(null);
  const offered = useRef<{ challenge: Challenge; at: number } | null>(null);
  const offersRefused = useRef(false);
  return useMemo(() => {
    const start = () => {
      if (proof.current) return;
      const offer = offered.current;
      offered.current = null;
      const fresh = offer && Date.now() - offer.at < OFFER_FRESH_MS;
      proof.current = (fresh ? Promise.resolve(offer.challenge) : api.challenge())
        .then(async (c) => ({
          challenge: c.challenge,
          nonce: await solveChallenge(c.challenge, c.difficulty),
        }))
        .catch(() => null);
    };
    return {
      offer(challenge) {
        if (!offersRefused.current) offered.current = { challenge, at: Date.now() };
      },
      start,
      async take() {
        start();
        const first = await proof.current;
        if (first) return first;
        // The challenge could not be fetched (offline for a moment): try once more now.
        proof.current = null;
        start();
        return proof.current;
      },
      spend(refused = false) {
        proof.current = null;
        if (refused) {
          offersRefused.current = true;
          offered.current = null;
        }
      },
    };
  }, [api]);
}
