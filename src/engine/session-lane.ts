/**
 * A lane holds one source and one target session, opened on first use and reopened after a
 * transient failure. Each lane is one connection per side, so `connections` lanes stay within the
 * endpoints' connection caps.
 */
import type { ImapSession } from '../connectors/imap/types.ts';
import { toAppError, withDetails } from '../core/app-error.ts';
import type { ImapEndpoint } from '../core/endpoint.ts';
import { backoffMs } from './classify-error.ts';
import type { PairRef, PassDeps, SessionOpener } from './pass-types.ts';

const OPEN_ATTEMPTS = 3;

/** Opens a session, retrying transient failures (refused, timeout, throttled) with backoff. */
export async function openWithRetry(open: SessionOpener, endpoint: ImapEndpoint, name: string, side: 'source' | 'target', attempts = OPEN_ATTEMPTS): Promise<ImapSession> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(endpoint, name);
    } catch (thrown) {
      const err = withDetails(toAppError(thrown), { side });
      if (err.retry !== 'transient' || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
}

/** One source + one target connection, opened lazily. */
export class SessionLane {
  readonly #deps: PassDeps;
  readonly #pair: PairRef;
  readonly #index: number;
  #source: Promise<ImapSession> | null = null;
  #target: Promise<ImapSession> | null = null;

  constructor(deps: PassDeps, pair: PairRef, index: number) {
    this.#deps = deps;
    this.#pair = pair;
    this.#index = index;
  }

  /**
   * The source session (opened on first call). Its first SELECT of a folder it has not listed lists
   * every folder once (select-folder.ts), so a lane syncing 250 folders does not pay 250 LISTs.
   */
  sourceSession(): Promise<ImapSession> {
    this.#source ??= openWithRetry(this.#deps.openSession, this.#pair.source, `source-${this.#index}`, 'source');
    return this.#source;
  }

  /** The target session (opened on first call). */
  targetSession(): Promise<ImapSession> {
    this.#target ??= openWithRetry(this.#deps.openSession, this.#pair.target, `target-${this.#index}`, 'target');
    return this.#target;
  }

  /** Drops both sessions; the next call opens new ones. */
  async reset(): Promise<void> {
    await this.close();
    this.#source = null;
    this.#target = null;
  }

  /** Logs out of both sides; never throws. */
  async close(): Promise<void> {
    const sessions = [this.#source, this.#target].filter((s): s is Promise<ImapSession> => s !== null);
    await Promise.all(sessions.map(async (pending) => {
      try {
        await (await pending).close();
      } catch {
        // A session that never opened, or a dead connection: nothing to close.
      }
    }));
  }
}
