/**
 * Flag propagation on deltas (--syncflags): a message read or flagged at the source after it was
 * migrated gets the same flags on the target. With CONDSTORE only messages changed since the last
 * pass are read (FETCH … CHANGEDSINCE, RFC 7162 §3.1.4.1); without it every message's flags are.
 * The ledger keeps the flags last written, so an unchanged message costs nothing on the target.
 */
import type { ImapSession } from '../connectors/imap/types.ts';
import type { LedgerItem } from '../core/ledger.ts';
import { appendableFlags } from './candidate.ts';

export interface FlagUpdate {
  readonly sourceFolder: string;
  readonly uidValidity: bigint;
  readonly uid: number;
  readonly flags: readonly string[];
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const left = [...a].map((f) => f.toLowerCase()).sort();
  const right = [...b].map((f) => f.toLowerCase()).sort();
  return left.every((flag, i) => flag === right[i]);
}

/** Reads changed source flags and writes them to the target. Returns the ledger updates. */
export async function carryFlags(options: {
  source: ImapSession;
  target: ImapSession;
  sourceFolder: string;
  uidValidity: bigint;
  changedSince: bigint | null;
  /** Migrated items of the folder with a known target UID in the target's current UIDVALIDITY. */
  migrated: ReadonlyMap<number, LedgerItem>;
}): Promise<FlagUpdate[]> {
  const updates: FlagUpdate[] = [];
  for await (const change of options.source.fetchFlags(options.sourceFolder, options.changedSince)) {
    const item = options.migrated.get(change.uid);
    if (!item || item.targetUid === null || item.targetFolder === null) continue;
    const flags = appendableFlags(change.flags);
    if (sameFlags(flags, item.flags)) continue;
    await options.target.setFlags(item.targetFolder, item.targetUid, flags);
    updates.push({ sourceFolder: options.sourceFolder, uidValidity: options.uidValidity, uid: change.uid, flags });
  }
  return updates;
}
