/**
 * Ctrl-C and SIGTERM during a pass: the first signal asks the pass to stop at the next batch
 * boundary (it records itself `interrupted`, the ledger stays true, the embedded database is stopped
 * cleanly); a second one exits at once — still safe, because of the write-ahead ledger.
 */
import { EXIT } from './exit-codes.ts';

/** Runs `work` with an AbortSignal tied to SIGINT/SIGTERM; removes the handlers afterwards. */
export async function withSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${name} again: exiting now. The next run resumes where this one stopped.\n`);
      process.exit(EXIT.BY_SIGNAL);
    }
    process.stderr.write(`\n${name}: stopping after the current batch (press Ctrl-C again to exit at once)…\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
