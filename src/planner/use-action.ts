/**
 * A panel's one action at a time: busy while it runs, and its failure worded
 * for the planner (explain) where the panel shows errors.
 */
import { useState } from 'preact/hooks';
import { explain } from './api.js';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}
