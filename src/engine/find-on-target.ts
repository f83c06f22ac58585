/**
 * Looks for source items on the target before appending them (DESIGN.md "Write-ahead"): an item
 * left `in_doubt` by a crash may already be there, and a folder whose ledger was reset (or a target
 * that already holds mail) must not receive copies of what it has. Matching is by fingerprint, then by
 * Message-ID and INTERNALDATE for servers that rewrite what they store (copy-identity.ts), with
 * multiplicity, against target messages no ledger row has claimed yet.
 */
import type { ImapSession } from '../connectors/imap/types.ts';
import type { Candidate } from './candidate.ts';
import { candidateKeys, matchCopies, targetCopy, type TargetCopy } from './copy-identity.ts';

/** Below this many items, targeted SEARCHes are cheaper than reading every target header. */
const SEARCH_PER_ITEM_MAX = 20;
/** ...unless the target folder is small anyway. */
const SMALL_FOLDER = 500;

export interface FoundOnTarget {
  readonly found: ReadonlyArray<{ readonly candidate: Candidate; readonly targetUid: number }>;
  readonly notFound: readonly Candidate[];
  readonly targetUidValidity: bigint;
}

/**
 * Matches `items` against the unclaimed messages of `targetFolder`. `claimed` are target UIDs the
 * ledger already assigns to other items (for the target's current UIDVALIDITY).
 */
export async function findOnTarget(
  target: ImapSession,
  targetFolder: string,
  items: readonly Candidate[],
  claimedFor: (uidValidity: bigint) => Promise<ReadonlySet<number>>,
): Promise<FoundOnTarget> {
  const listing = await target.listUids(targetFolder);
  if (items.length === 0 || listing.uids.length === 0) {
    return { found: [], notFound: items, targetUidValidity: listing.uidValidity };
  }
  const claimed = await claimedFor(listing.uidValidity);
  const unclaimed = listing.uids.filter((uid) => !claimed.has(uid));
  if (unclaimed.length === 0) return { found: [], notFound: items, targetUidValidity: listing.uidValidity };

  let toRead: number[];
  if (items.length <= SEARCH_PER_ITEM_MAX && unclaimed.length > SMALL_FOLDER) {
    const unclaimedSet = new Set(unclaimed);
    const hits = new Set<number>();
    for (const item of items) {
      const uids = item.messageId !== null
        ? await target.searchByMessageId(targetFolder, item.messageId)
        : await target.searchBySize(targetFolder, item.meta.size);
      for (const uid of uids) if (unclaimedSet.has(uid)) hits.add(uid);
    }
    toRead = [...hits].sort((a, b) => a - b);
  } else {
    toRead = unclaimed;
  }

  const candidates: Array<TargetCopy> = [];
  if (toRead.length > 0) {
    for await (const meta of target.fetchMeta(targetFolder, toRead)) candidates.push(targetCopy(meta));
  }
  candidates.sort((a, b) => a.key - b.key);
  const ordered = [...items].sort((a, b) => a.uid - b.uid).map((candidate) => ({ candidate, ...candidateKeys(candidate) }));
  const result = matchCopies(ordered, candidates);
  return {
    found: result.matched.map((m) => ({ candidate: m.item.candidate, targetUid: m.key })),
    notFound: result.unmatched.map((u) => u.candidate),
    targetUidValidity: listing.uidValidity,
  };
}
