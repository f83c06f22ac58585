/**
 * Is this target message the copy of that source item? Asked wherever a target UID is not known or
 * must be checked: the look-up of in-doubt items, a ledger rebuilt against a non-empty target folder,
 * UIDs found after APPEND without UIDPLUS, and the verify pass.
 *
 * First by fingerprint (fingerprint.ts: Message-ID, Date, From, Subject and the size), which holds on
 * every server that stores the bytes it is given. Some do not: Exchange / Microsoft 365 and other
 * servers that convert mail to their own store give back a re-rendered message, with another
 * RFC822.SIZE and often re-folded headers. Against those the fingerprint never matches, and a crash
 * would double the batch in doubt, a verify pass would call every item missing. So items left
 * unmatched are matched again on a looser key: the normalised Message-ID and the INTERNALDATE to the
 * second, which Cutover sets on APPEND (RFC 3501 §6.3.11) and such servers keep. Both rounds go by
 * multiplicity against the target messages not yet claimed, so N source items need N copies; items
 * without a Message-ID have no loose key and stay unmatched rather than being guessed.
 */
import type { MessageMetaData } from '../connectors/imap/types.ts';
import type { Candidate } from './candidate.ts';
import { fingerprint, parseFingerprintHeaders } from './fingerprint.ts';
import { matchWithMultiplicity, type MatchResult } from './match-multiset.ts';

/** What both rounds compare. */
export interface CopyKeys {
  readonly fingerprint: string;
  /** Null without a Message-ID. */
  readonly looseKey: string | null;
}

/** The loose key: Message-ID (normalised, fingerprint.ts) and INTERNALDATE in whole seconds. */
export function looseKey(messageId: string | null, internalDate: Date): string | null {
  if (messageId === null) return null;
  return `${messageId}\n${Math.floor(internalDate.getTime() / 1000)}`;
}

/**
 * At a target UID the ledger recorded, is the message there still this item's copy? A UID is never
 * given to another message within one UIDVALIDITY (RFC 3501 §2.3.1.1), so this only guards against a
 * wrong ledger row: it answers no only on evidence — another fingerprint and another Message-ID. A
 * rewritten copy keeps its Message-ID (INTERNALDATE is not asked for here: not every such server
 * keeps it), and an item without one cannot be told apart beyond its UID, which then decides.
 */
export function confirmsCopy(item: { readonly fingerprint: string; readonly messageId: string | null }, copy: { readonly fingerprint: string; readonly messageId: string | null }): boolean {
  return item.fingerprint === copy.fingerprint || item.messageId === null || item.messageId === copy.messageId;
}

/**
 * Pairs items with candidates (given in UID order), each candidate used once: by fingerprint first,
 * then what is left by loose key.
 */
export function matchCopies<S extends CopyKeys, K>(items: readonly S[], candidates: ReadonlyArray<CopyKeys & { readonly key: K }>): MatchResult<S, K> {
  const strict = matchWithMultiplicity(items, candidates);
  if (strict.unmatched.length === 0) return strict;
  const used = new Set(strict.matched.map((m) => m.key));
  const free = candidates.flatMap((c) => (c.looseKey === null || used.has(c.key) ? [] : [{ key: c.key, fingerprint: c.looseKey }]));
  const withKey = strict.unmatched.flatMap((item) => (item.looseKey === null ? [] : [{ item, fingerprint: item.looseKey }]));
  const loose = matchWithMultiplicity(withKey, free);
  const matched = [...strict.matched, ...loose.matched.map((m) => ({ item: m.item.item, key: m.key }))];
  const matchedItems = new Set<S>(matched.map((m) => m.item));
  return { matched, unmatched: items.filter((item) => !matchedItems.has(item)) };
}

/** A target message with the keys it is compared on. */
export type TargetCopy = CopyKeys & { readonly key: number; readonly messageId: string | null };

export function targetCopy(meta: MessageMetaData): TargetCopy {
  const messageId = parseFingerprintHeaders(meta.headers).messageId;
  return { key: meta.uid, fingerprint: fingerprint({ headers: meta.headers, size: meta.size }), looseKey: looseKey(messageId, meta.internalDate), messageId };
}

/** A source candidate's keys. */
export function candidateKeys(candidate: Candidate): CopyKeys {
  return { fingerprint: candidate.fingerprint, looseKey: looseKey(candidate.messageId, candidate.meta.internalDate) };
}
