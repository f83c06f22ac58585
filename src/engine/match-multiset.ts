/**
 * Matching by fingerprint WITH MULTIPLICITY (DESIGN.md: "N identical source items need N matching
 * target messages"). Used when a fingerprint has to stand in for identity: in-doubt recovery on the
 * target, rebuilding a ledger against a non-empty target folder, and a source UIDVALIDITY change.
 * Each candidate on the other side can be claimed once; two identical source items claim two
 * different target messages, and the second finds none if only one exists.
 */

export interface Claimable<K> {
  readonly key: K;
  readonly fingerprint: string;
}

export interface MatchResult<S, K> {
  /** Each matched item with the candidate key it claimed. */
  readonly matched: ReadonlyArray<{ readonly item: S; readonly key: K }>;
  /** Items that found no unclaimed candidate. */
  readonly unmatched: readonly S[];
}

/**
 * Pairs items with candidates of equal fingerprint, each candidate used at most once. Candidates are
 * claimed in the order given (callers pass them sorted by UID so the oldest copy is claimed first,
 * which keeps the result stable from one run to the next).
 */
export function matchWithMultiplicity<S extends { readonly fingerprint: string }, K>(
  items: readonly S[],
  candidates: Iterable<Claimable<K>>,
): MatchResult<S, K> {
  const pools = new Map<string, K[]>();
  for (const candidate of candidates) {
    const pool = pools.get(candidate.fingerprint);
    if (pool) pool.push(candidate.key);
    else pools.set(candidate.fingerprint, [candidate.key]);
  }
  const matched: Array<{ item: S; key: K }> = [];
  const unmatched: S[] = [];
  for (const item of items) {
    const pool = pools.get(item.fingerprint);
    const key = pool?.shift();
    if (key === undefined) unmatched.push(item);
    else matched.push({ item, key });
  }
  return { matched, unmatched };
}
