/**
 * Lets idle lanes help copy a large folder. A pass syncs folders in lanes (one connection per side
 * each); without help, the lane that drew the 50,000-message folder copies it alone while the other
 * lanes sit idle once their folders are done. Here the folder's candidates are cut into shares
 * (`--split`, 1,000 messages by default): the lane that owns the folder copies shares in order, and a
 * lane with no folder left takes the next open share of any folder and copies it on its own
 * connections.
 *
 * The ledger rules are those of every copy (copy-messages.ts: write-ahead `in_doubt`, then
 * `migrated`), so a share copied by a helper is as crash-safe as one copied by its owner. What sharing
 * adds is one rule: when a share fails, no share of that folder is started any more, and the owner
 * waits until every share already taken has settled before it reports the error. The folder's retry
 * (run-pass.ts) then never runs while a helper may still be appending the same items.
 */
import type { ImapSession } from '../connectors/imap/types.ts';
import { AppError } from '../core/app-error.ts';

/** The connections a share is copied on. */
export interface LaneSessions {
  readonly source: ImapSession;
  readonly target: ImapSession;
}

interface Share {
  readonly group: ShareGroup;
  readonly index: number;
}

interface ShareGroup {
  readonly work: (index: number, sessions: LaneSessions) => Promise<void>;
  /** True once the folder must not start another share (a share stopped it, e.g. the target is full). */
  readonly stop: () => boolean;
  /** Settles when the share has been copied, failed, or was skipped because the group stopped. */
  readonly settled: Array<Promise<void>>;
  stopped: boolean;
  error: unknown;
  hasError: boolean;
  /** Shares copied to the end. */
  done: number;
}

export class SharedCopies {
  readonly #open: Share[] = [];
  #wake: Array<() => void> = [];
  /** Lanes inside a folder job: any of them may still open shares. */
  #busyLanes = 0;

  /** A lane starts (true) or finishes (false) a folder job. */
  laneBusy(busy: boolean): void {
    this.#busyLanes += busy ? 1 : -1;
    if (!busy) this.#notify();
  }

  /**
   * Copies `count` shares of one folder: the caller (the folder's lane) runs `work(i, own)` for the
   * shares no helper took, in order; helpers run the others on their connections. Resolves when every
   * share has settled; throws the first share's error (after all settled), and starts no new share of
   * the folder once one failed or `stop()` returned true.
   */
  async run(count: number, own: LaneSessions, work: (index: number, sessions: LaneSessions) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
    const group: ShareGroup = { work, stop, settled: [], stopped: false, error: undefined, hasError: false, done: 0 };
    const mine: Share[] = [];
    for (let index = 0; index < count; index++) mine.push({ group, index });
    // The first share is the owner's; the rest are open to helpers too.
    this.#open.push(...mine.slice(1));
    this.#notify();
    for (let share: Share | undefined = mine[0]; share; share = this.#takeOwn(group)) {
      if (group.stopped || stop()) {
        group.stopped = true;
        this.#drop(group);
        break;
      }
      // A failure is recorded in the group (and thrown below, once every share has settled).
      await this.#start(share, own).catch(() => undefined);
    }
    // Shares helpers took may still run: the folder is done only when every one has settled.
    await Promise.all(group.settled);
    if (group.hasError) throw group.error;
    // Defence in depth: a folder whose shares did not all run must not be recorded as synced.
    if (group.done !== count && !stop()) {
      throw new AppError('INTERNAL', `${count - group.done} of ${count} shares of the folder were not copied; the folder is retried`);
    }
  }

  /**
   * For a lane with no folder left: the next open share (start it with `start`), or null once no share
   * is open and no lane is inside a folder job any more (nothing can be shared from now on).
   */
  async next(): Promise<{ start: (sessions: () => Promise<LaneSessions>) => Promise<void> } | null> {
    for (;;) {
      const share = this.#open.shift();
      // A share handed out must be started: its failure (even to connect) is the folder's error.
      if (share) return { start: this.#handOut(share) };
      if (this.#busyLanes === 0) return null;
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }

  #start(share: Share, sessions: LaneSessions | (() => Promise<LaneSessions>)): Promise<void> {
    return this.#handOut(share)(sessions);
  }

  /**
   * Registers the share with its group at once (so the owner waits for it even before the helper has
   * started it) and returns the function that runs it.
   */
  #handOut(share: Share): (sessions: LaneSessions | (() => Promise<LaneSessions>)) => Promise<void> {
    const { group } = share;
    let settle!: () => void;
    group.settled.push(new Promise<void>((resolve) => (settle = resolve)));
    return async (sessions) => {
      try {
        if (group.stopped || group.stop()) return;
        await group.work(share.index, typeof sessions === 'function' ? await sessions() : sessions);
        group.done++;
      } catch (err) {
        if (!group.hasError) {
          group.hasError = true;
          group.error = err;
        }
        group.stopped = true;
        this.#drop(group);
        throw err;
      } finally {
        settle();
      }
    };
  }

  #takeOwn(group: ShareGroup): Share | undefined {
    const at = this.#open.findIndex((s) => s.group === group);
    return at === -1 ? undefined : this.#open.splice(at, 1)[0];
  }

  #drop(group: ShareGroup): void {
    for (let i = this.#open.length - 1; i >= 0; i--) if (this.#open[i]?.group === group) this.#open.splice(i, 1);
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const resolve of wake) resolve();
  }
}
