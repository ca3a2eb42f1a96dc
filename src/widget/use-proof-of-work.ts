/**
 * The anti-spam proof of work, solved in the background while the customer types: started when a
 * window is chosen, awaited when they book, forgotten once the service has given a definite answer
 * (a challenge is single-use).
 */
import { useMemo, useRef } from 'preact/hooks';
import type { Api } from './api.js';
import { solveChallenge } from './pow.js';

export interface Proof {
  challenge: string;
  nonce: string;
}

export interface ProofOfWork {
  /** Fetches and solves a challenge unless one is already under way or solved. */
  start(): void;
  /** The solved proof; null when the challenge could not be fetched twice in a row. */
  take(): Promise<Proof | null>;
  /** Forgets the current proof (spent or refused): the next take() solves a fresh one. */
  spend(): void;
}

export function useProofOfWork(api: Api): ProofOfWork {
  const proof = useRef<Promise<Proof | null> | null>(null);
  return useMemo(() => {
    const start = () => {
      proof.current ??= api
        .challenge()
        .then(async (c) => ({
          challenge: c.challenge,
          nonce: await solveChallenge(c.challenge, c.difficulty),
        }))
        .catch(() => null);
    };
    return {
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
      spend() {
        proof.current = null;
      },
    };
  }, [api]);
}
