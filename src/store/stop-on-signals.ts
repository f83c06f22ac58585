/**
 * Ctrl-C and SIGTERM for a process that runs a database: stop it cleanly, then exit with the shell's
 * convention 128 + signal number (130 for SIGINT, 143 for SIGTERM). A second signal while stopping
 * exits at once. Installed only when the CLI calls it, never at import time.
 */
import type { StoreLogger } from './db.ts';

/** Something to stop on a signal: an `EmbeddedDb` (stop) or an `OpenDatabase` (close). */
export type Stoppable = { stop(): Promise<void> } | { close(): Promise<void> };

/** Options of `stopOnSignals`. */
export interface StopOnSignalsOptions {
  readonly logger?: StoreLogger;
  /** Called instead of process.exit (tests). */
  readonly exit?: (code: number) => void;
  /** Runs before the database stops, e.g. to abort a pass and let it record its state. */
  readonly beforeStop?: (signal: NodeJS.Signals) => Promise<void> | void;
}

const EXIT_CODES: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

/** Installs SIGINT/SIGTERM handlers that stop `target` and exit; returns a function removing them. */
export function stopOnSignals(target: Stoppable, options: StopOnSignalsOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handler = (signal: 'SIGINT' | 'SIGTERM'): void => {
    const code = EXIT_CODES[signal];
    if (stopping) {
      options.logger?.warn({ signal }, 'second signal: exiting without waiting');
      exit(code);
      return;
    }
    stopping = true;
    options.logger?.info({ signal }, 'stopping');
    void (async () => {
      try {
        await options.beforeStop?.(signal);
        await ('stop' in target ? target.stop() : target.close());
      } catch (err) {
        options.logger?.error({ err }, 'clean stop failed');
      }
      exit(code);
    })();
  };
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  };
}
