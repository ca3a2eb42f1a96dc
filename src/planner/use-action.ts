/**
 * A panel's one action at a time: busy while it runs, and its failure worded
 * for the planner (explain) where the panel shows errors, with the request
 * field the service named, so the panel marks that input (aria-invalid).
 */
import { useState } from 'preact/hooks';
import { ApiError, explain } from './api.js';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ text: string; field?: string } | null>(null);
  const setError = (text: string | null, field?: string) =>
    setFailure(text === null ? null : { text, ...(field ? { field } : {}) });
  async function run(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setFailure(null);
    try {
      await action();
    } catch (e) {
      setError(explain(e), e instanceof ApiError ? e.field : undefined);
    } finally {
      setBusy(false);
    }
  }
  /** Attributes of the input for `field` ("body.reason"): marked, and described by the error, when the error names it. */
  const invalid = (field: string, errorId: string) =>
    failure?.field === field ? { 'aria-invalid': true, 'aria-describedby': errorId } : {};
  return { busy, error: failure?.text ?? null, setError, run, invalid };
}
