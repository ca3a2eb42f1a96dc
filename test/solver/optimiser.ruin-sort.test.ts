/**
 * The ruins' typed sort (sortByKey) must give exactly the order of the comparator sort it replaced
 * (key ascending, ties by visit index), or the same seed would no longer give the same plan.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../solver/optimiser/prng.js';
import { sortByKey } from '../../solver/optimiser/ruin.js';

describe('sortByKey', () => {
  it('orders like (a, b) => key[a] - key[b] || a - b, ties included', () => {
    const rng = new Random(7);
    for (let trial = 0; trial < 300; trial++) {
      const visitCount = 1 + rng.int(400);
      const key = new Float64Array(visitCount);
      // Few distinct keys on some trials (many ties), many on others; negative keys too (worst removal).
      const distinct = trial % 3 === 0 ? 1 + rng.int(4) : 1000;
      for (let u = 0; u < visitCount; u++) key[u] = (rng.int(distinct) - distinct / 2) * 0.37;
      const chosen: number[] = [];
      for (let u = 0; u < visitCount; u++) if (rng.next() < 0.7) chosen.push(u);
      rng.shuffle(chosen);
      const items = Int32Array.from(chosen);
      // Room after the items that the sort must leave alone.
      const buffer = new Int32Array(items.length + 3).fill(-1);
      buffer.set(items);
      sortByKey(buffer, items.length, key);
      const expected = chosen.slice().sort((a, b) => key[a]! - key[b]! || a - b);
      expect(Array.from(buffer.subarray(0, items.length))).toEqual(expected);
      expect(Array.from(buffer.subarray(items.length))).toEqual([-1, -1, -1]);
    }
  });
});
