import { useCallback, useState } from "react";
import { describeError } from "../api/errors";

/**
 * One action at a time with its outcome in words: `busy` while it runs, then `status` (what was done) or `error`
 * (the server's refusal or the network problem, as describeError words it).
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      await action();
      setStatus(done);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, status, run, setError, setStatus };
}
