/**
 * A source message the pass is considering, with what the engine derived from its metadata, and the
 * conversion to a ledger row.
 */
import type { MessageMetaData } from '../connectors/imap/types.ts';
import type { ItemState, LedgerItem, LedgerWrite } from '../core/ledger.ts';
import { fingerprint, parseFingerprintHeaders } from './fingerprint.ts';

export interface Candidate {
  readonly uid: number;
  readonly meta: MessageMetaData;
  readonly fingerprint: string;
  readonly messageId: string | null;
  readonly subject: string | null;
  /** The ledger row from an earlier pass, if any (failed, in_doubt or excluded). */
  readonly previous: LedgerItem | undefined;
}

/** Derives fingerprint, Message-ID and subject from FETCH metadata. */
export function toCandidate(meta: MessageMetaData, previous: LedgerItem | undefined): Candidate {
  const headers = parseFingerprintHeaders(meta.headers);
  return {
    uid: meta.uid,
    meta,
    fingerprint: fingerprint({ headers: meta.headers, size: meta.size }),
    messageId: headers.messageId,
    // Subjects are for reports only; cap them so one odd header cannot bloat the ledger.
    subject: headers.subject === null ? null : headers.subject.slice(0, 500),
    previous,
  };
}

/** Flags an APPEND may set: everything but \Recent (RFC 3501 §2.3.2, only the server sets it). */
export function appendableFlags(flags: readonly string[]): string[] {
  return flags.filter((flag) => flag.toLowerCase() !== '\\recent');
}

/** The ledger row for a candidate in a given state. */
export function ledgerWrite(
  c: Candidate,
  sourceFolder: string,
  uidValidity: bigint,
  state: ItemState,
  extra: Partial<Pick<LedgerWrite, 'targetFolder' | 'targetUidValidity' | 'targetUid' | 'reasonCode' | 'reasonText' | 'flags'>> = {},
): LedgerWrite {
  return {
    sourceFolder,
    uidValidity,
    uid: c.uid,
    fingerprint: c.fingerprint,
    messageId: c.messageId,
    size: c.meta.size,
    internalDate: c.meta.internalDate,
    subject: c.subject,
    state,
    targetFolder: extra.targetFolder ?? null,
    targetUidValidity: extra.targetUidValidity ?? null,
    targetUid: extra.targetUid ?? null,
    reasonCode: extra.reasonCode ?? null,
    reasonText: extra.reasonText ?? null,
    flags: extra.flags ?? appendableFlags(c.meta.flags),
  };
}
