/**
 * A source folder whose UIDVALIDITY changed (RFC 3501 §2.3.1.1: the server renumbered it, e.g. after
 * a rebuild or a restore) has new UIDs for old messages. Its items are matched again by fingerprint,
 * with multiplicity, and re-keyed in the ledger, not copied again (DESIGN.md).
 */
import type { LedgerItem } from '../core/ledger.ts';
import type { Candidate } from './candidate.ts';
import { matchWithMultiplicity } from './match-multiset.ts';

export interface RekeyMove {
  readonly fromUidValidity: bigint;
  readonly fromUid: number;
  readonly toUidValidity: bigint;
  readonly toUid: number;
}

/**
 * Pairs old ledger rows (other UIDVALIDITY) with current source messages of equal fingerprint.
 * Returns the moves for the ledger; current messages left over are new.
 */
export function planRekey(oldItems: readonly LedgerItem[], current: readonly Candidate[], uidValidity: bigint): RekeyMove[] {
  const byAge = [...oldItems].sort((a, b) => (a.uidValidity === b.uidValidity ? a.uid - b.uid : a.uidValidity < b.uidValidity ? -1 : 1));
  const result = matchWithMultiplicity(
    [...current].sort((a, b) => a.uid - b.uid),
    byAge.map((item) => ({ key: item, fingerprint: item.fingerprint })),
  );
  return result.matched.map(({ item, key }) => ({
    fromUidValidity: key.uidValidity,
    fromUid: key.uid,
    toUidValidity: uidValidity,
    toUid: item.uid,
  }));
}
