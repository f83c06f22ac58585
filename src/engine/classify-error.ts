/**
 * What a pass does with an error, from its retry class (src/core/error-codes.ts):
 * - `user` (bad credentials, quota full, bad settings): stop the pair and tell someone — retrying only
 *   burns the account's login budget or fills the log;
 * - `item` (this message or folder was refused): record the item as failed and go on;
 * - `transient` (network, throttling, restart): back off and retry; after MAX_TRANSIENT_ATTEMPTS the
 *   pass is aborted and the next scheduled pass resumes (the ledger makes that duplicate-free).
 */
import type { AppError } from '../core/app-error.ts';

/** Attempts of one operation on transient errors before the pass gives up. */
export const MAX_TRANSIENT_ATTEMPTS = 6;
/** First back-off delay. */
export const BACKOFF_BASE_MS = 1_000;
/** Upper bound of the computed exponential delay. */
export const BACKOFF_CAP_MS = 5 * 60_000;
/** Upper bound of a server-requested delay: a broken hint must not park a worker for days. */
export const SERVER_HINT_CAP_MS = 60 * 60_000;

/** The action a pass takes on an error. */
export type ErrorAction = 'stop-pair' | 'record-item' | 'retry' | 'abort-pass';

/** True when the error needs a person: the pair stops (retry class `user`). */
export function shouldStopPair(err: AppError): boolean {
  return err.retry === 'user';
}

/** Action for an error seen on the given attempt (1 = first try) of an operation. */
export function errorAction(err: AppError, attempt: number): ErrorAction {
  switch (err.retry) {
    case 'user':
      return 'stop-pair';
    case 'item':
      return 'record-item';
    case 'transient':
      return attempt < MAX_TRANSIENT_ATTEMPTS ? 'retry' : 'abort-pass';
  }
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential (base · 2^(attempt−1)),
 * capped, with "equal jitter" (half fixed, half random) so that many workers throttled at once do not
 * come back in lockstep, yet never retry immediately. A server hint (IMAP has no standard Retry-After;
 * connectors read it from throttling responses such as `[LIMIT]`/`[UNAVAILABLE]` texts, RFC 5530) wins
 * when longer, up to SERVER_HINT_CAP_MS. `random` is injectable for tests.
 */
export function backoffMs(attempt: number, serverHintSeconds?: number, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  // 2^(n−1) overflows to Infinity for large n; min() brings it back to the cap.
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = Math.round(exponential / 2 + (exponential / 2) * r);
  if (serverHintSeconds === undefined || !Number.isFinite(serverHintSeconds) || serverHintSeconds <= 0) return jittered;
  const hintMs = Math.min(SERVER_HINT_CAP_MS, Math.ceil(serverHintSeconds * 1000));
  return Math.max(jittered, hintMs);
}
