import { useState } from "react";
import { describeError } from "./errors";

/**
 * One button's call to the server: `busy` while it runs, the refusal in words in
 * `error`, and `after` only when it succeeded (close a dialog, clear a field).
 */
export function useServerAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (action: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      after?.();
    } catch (e) {
      setError(describeError(e).message);
    } finally {
      setBusy(false);
    }
  };
  /** A problem found before calling the server, shown in the same place. */
  const refuse = (message: string) => setError(message);
  return { busy, error, run, refuse };
}
