/**
 * Target UIDs of appended messages on a server without UIDPLUS (RFC 4315), which answers APPEND with a
 * plain OK and no `[APPENDUID uidvalidity uid-set]`.
 *
 * Without them the ledger could not say which target message is which source item, and everything
 * that relies on it would go wrong quietly: flag changes could not be carried, and the look-up of an
 * in-doubt item after a crash could not leave out target messages already claimed, so of two
 * identical source messages the second (in doubt) would be matched to the first one's copy and never
 * sent — one message lost.
 *
 * So a batch for such a server notes the folder's UIDNEXT before its APPEND and afterwards reads the
 * messages that arrived from there on (`UID SEARCH UID n:*`, then their fingerprint headers). New
 * messages get UIDs ≥ that UIDNEXT (RFC 3501 §2.3.1.1), and a batch's messages get ascending UIDs in
 * the order they were appended (RFC 3502 §6.3.11 for MULTIAPPEND; one APPEND at a time on one
 * connection otherwise). Matching with multiplicity (copy-identity.ts), in UID order, pairs each appended
 * item with its copy even when other mail arrived in the folder meanwhile (new mail after the MX
 * moved). Folders are not shared between connections for such a server (run-pass.ts), so no other
 * lane appends the same folder's items at the same time.
 */
import type { ImapSession } from '../connectors/imap/types.ts';
import type { Candidate } from './candidate.ts';
import { candidateKeys, matchCopies, targetCopy, type TargetCopy } from './copy-identity.ts';

export interface AppendedUids {
  /** UIDVALIDITY of the target folder when it was read. */
  readonly uidValidity: bigint;
  /** Target UID per index into the items given; an item whose copy was not recognised is absent. */
  readonly byIndex: ReadonlyMap<number, number>;
}

/** True when `target` answers APPEND with APPENDUID, so no look-up is needed. */
export function returnsAppendUids(target: ImapSession): boolean {
  return target.info.capabilities.has('UIDPLUS');
}

/** The folder's UIDNEXT, to call just before an APPEND on a server without UIDPLUS. */
export async function uidNextOf(target: ImapSession, folder: string): Promise<number> {
  return (await target.status(folder, { condstore: false })).uidNext;
}

/**
 * Finds the copies of `items` (appended in this order) among the messages of `folder` with UIDs
 * ≥ `fromUid`. An item whose copy is not recognised (rewritten, and no Message-ID) is left out: the
 * caller records it without a target UID rather than appending it again.
 */
export async function findAppendedUids(
  target: ImapSession,
  folder: string,
  fromUid: number,
  items: readonly Candidate[],
): Promise<AppendedUids> {
  const listing = await target.listUids(folder, fromUid);
  const arrived: TargetCopy[] = [];
  if (listing.uids.length > 0 && items.length > 0) {
    for await (const meta of target.fetchMeta(folder, listing.uids)) arrived.push(targetCopy(meta));
  }
  arrived.sort((a, b) => a.key - b.key);
  const indexed = items.map((item, index) => ({ index, ...candidateKeys(item) }));
  const { matched } = matchCopies(indexed, arrived);
  return { uidValidity: listing.uidValidity, byIndex: new Map(matched.map((m) => [m.item.index, m.key])) };
}
