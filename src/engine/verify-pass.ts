/**
 * The verify pass: proof of completeness. It copies nothing; it compares the ledger with both servers
 * and names every difference (verify_findings):
 *  - `missing_on_target`: the ledger says `migrated`, but the target folder no longer holds that UID,
 *    or holds another message there (another fingerprint and Message-ID: copy-identity.ts). The item is set back to `failed` (reason VERIFY_MISSING), so the
 *    next delta pass copies it again.
 *  - `not_migrated`: a source message the ledger does not account for (no row, `in_doubt`, or
 *    `failed`); `excluded` items are accounted for by their filter rule.
 *  - `extra_on_target`: a message in a target folder of the migration that no ledger row of the pair
 *    claims (mail that was there before, or a duplicate made by hand).
 * When a target folder was re-created (new UIDVALIDITY), migrated items are matched again by
 * fingerprint with multiplicity and their ledger rows follow the new UIDs.
 */
import type { FolderData, ImapSession } from '../connectors/imap/types.ts';
import { AppError, toAppError } from '../core/app-error.ts';
import type { LedgerItem, LedgerWrite, PassCounts } from '../core/ledger.ts';
import { getFolderItems, writeItems } from '../store/ledger.repository.ts';
import { insertFindings } from '../store/verify-finding.repository.ts';
import { toCandidate } from './candidate.ts';
import { confirmsCopy, looseKey, matchCopies, targetCopy, type CopyKeys, type TargetCopy } from './copy-identity.ts';
import { buildFolderMap } from './folder-map.ts';
import type { PairRef, PassDeps, PassOptions } from './pass-types.ts';

/** Kinds of verify findings (verify_findings.kind). */
export type VerifyFindingKind = 'missing_on_target' | 'not_migrated' | 'extra_on_target';

/** One difference a verify pass found. */
export interface VerifyFinding {
  readonly kind: VerifyFindingKind;
  readonly sourceFolder: string | null;
  readonly uidValidity: bigint | null;
  readonly uid: number | null;
  readonly targetFolder: string | null;
  readonly targetUid: number | null;
  readonly subject: string | null;
  readonly detail: string | null;
}

/** What a verify pass counted. */
export interface VerifyCounts {
  /** Source folders compared. */
  folders: number;
  /** Source messages seen. */
  sourceMessages: number;
  /** Ledger items `migrated` that were checked on the target. */
  checked: number;
  /** ... of which were found where the ledger says. */
  present: number;
  missingOnTarget: number;
  notMigrated: number;
  extraOnTarget: number;
  /** Ledger rows moved to a re-created target folder's new UIDs. */
  relinked: number;
}

/** Result of `verifyPass`. */
export interface VerifyResult {
  readonly counts: VerifyCounts;
  /** Pass counts for the pass record: folders, skipped = present, failed = missing on target, plus `verify`. */
  readonly passCounts: Partial<PassCounts> & { verify: VerifyCounts };
  readonly findings: readonly VerifyFinding[];
  readonly warnings: readonly string[];
}

/** Inputs of `verifyPass`: the pass's deps, pair and options, its record id, and one session per side. */
export interface VerifyInput {
  readonly deps: PassDeps;
  readonly pair: PairRef;
  readonly options: PassOptions;
  readonly passId: string | null;
  readonly source: ImapSession;
  readonly target: ImapSession;
}

/** Source messages whose subject is read for not-migrated findings (beyond: no subject, to bound the cost). */
const SUBJECT_LOOKUP_MAX = 2000;

/** Compares ledger, target and source for one pair; writes findings and VERIFY_MISSING rows (not in a dry run). */
export async function verifyPass(input: VerifyInput): Promise<VerifyResult> {
  const { deps, pair, options, source, target } = input;
  const db = deps.pool;
  const counts: VerifyCounts = { folders: 0, sourceMessages: 0, checked: 0, present: 0, missingOnTarget: 0, notMigrated: 0, extraOnTarget: 0, relinked: 0 };
  const findings: VerifyFinding[] = [];
  const warnings: string[] = [];
  const checkAbort = (): void => {
    if (deps.signal?.aborted) throw new AppError('PASS_INTERRUPTED', 'The verify pass was interrupted; run it again.');
  };

  const sourceFolders = await source.listFolders();
  const targetFolders = await target.listFolders();
  const map = buildFolderMap(sourceFolders, targetFolders, {
    include: [...options.selection.include], exclude: [...options.selection.exclude],
    folders: options.selection.folders ? [...options.selection.folders] : null,
    regexTrans: options.selection.regexTrans.map((r) => ({ pattern: r.pattern, replacement: r.replacement })),
    automap: options.selection.automap, sourceDelimiter: delimiterOf(sourceFolders), targetDelimiter: delimiterOf(targetFolders),
  });
  const mappings = map.mappings.filter((m) => m.selectable);

  // 1. Source side: what the ledger does not account for; collect migrated items per target folder.
  const migratedByTarget = new Map<string, LedgerItem[]>();
  for (const mapping of mappings) {
    checkAbort();
    counts.folders++;
    const items = await getFolderItems(db, pair.id, mapping.source);
    for (const item of items) {
      if (item.state !== 'migrated') continue;
      const folder = item.targetFolder ?? mapping.target;
      const list = migratedByTarget.get(folder) ?? [];
      list.push(item);
      migratedByTarget.set(folder, list);
    }
    let listing: { uidValidity: bigint; uids: number[] };
    try {
      listing = await source.listUids(mapping.source);
    } catch (thrown) {
      const err = toAppError(thrown);
      if (err.retry === 'transient') throw err;
      warnings.push(`Source folder "${mapping.source}" could not be read (${err.code}); it was not verified.`);
      continue;
    }
    counts.sourceMessages += listing.uids.length;
    const byUid = new Map(items.filter((i) => i.uidValidity === listing.uidValidity).map((i) => [i.uid, i]));
    const unaccounted: Array<{ uid: number; detail: string; subject: string | null }> = [];
    for (const uid of listing.uids) {
      const item = byUid.get(uid);
      if (item?.state === 'migrated' || item?.state === 'excluded') continue;
      const detail = !item ? 'no ledger record' : item.state === 'in_doubt' ? 'in doubt (a pass stopped during its copy)' : `failed: ${item.reasonCode ?? 'unknown'}${item.reasonText ? ` (${item.reasonText})` : ''}`;
      unaccounted.push({ uid, detail, subject: item?.subject ?? null });
    }
    const needSubject = unaccounted.filter((u) => u.subject === null).slice(0, SUBJECT_LOOKUP_MAX).map((u) => u.uid);
    if (needSubject.length > 0) {
      const subjects = new Map<number, string | null>();
      for await (const meta of source.fetchMeta(mapping.source, needSubject)) subjects.set(meta.uid, toCandidate(meta, undefined).subject);
      for (const u of unaccounted) if (u.subject === null) u.subject = subjects.get(u.uid) ?? null;
    }
    for (const u of unaccounted) {
      findings.push({ kind: 'not_migrated', sourceFolder: mapping.source, uidValidity: listing.uidValidity, uid: u.uid, targetFolder: mapping.target, targetUid: null, subject: u.subject, detail: u.detail });
    }
    counts.notMigrated += unaccounted.length;
  }

  // 2. Target side: every migrated item where the ledger says; everything else there is extra.
  const targetPaths = new Set([...mappings.map((m) => m.target), ...migratedByTarget.keys()]);
  const toFail: LedgerWrite[] = [];
  const relinks: LedgerWrite[] = [];
  for (const targetFolder of [...targetPaths].sort()) {
    checkAbort();
    const expected = migratedByTarget.get(targetFolder) ?? [];
    counts.checked += expected.length;
    let listing: { uidValidity: bigint; uids: number[] } | null = null;
    try {
      listing = await target.listUids(targetFolder);
    } catch (thrown) {
      const err = toAppError(thrown);
      if (err.retry === 'transient') throw err;
    }
    if (!listing) {
      for (const item of expected) {
        findings.push(missingFinding(item, targetFolder, 'the target folder does not exist'));
        toFail.push(failedWrite(item, 'the target folder no longer exists'));
      }
      counts.missingOnTarget += expected.length;
      continue;
    }
    const fingerprints = new Map<number, TargetCopy & { subject: string | null }>();
    if (listing.uids.length > 0) {
      for await (const meta of target.fetchMeta(targetFolder, listing.uids)) {
        fingerprints.set(meta.uid, { ...targetCopy(meta), subject: toCandidate(meta, undefined).subject });
      }
    }
    const claimed = new Set<number>();
    const stale: LedgerItem[] = [];
    for (const item of expected) {
      const sameFolder = item.targetUidValidity === listing.uidValidity && item.targetUid !== null;
      const onTarget = sameFolder ? fingerprints.get(item.targetUid) : undefined;
      if (sameFolder && onTarget && confirmsCopy(item, onTarget) && !claimed.has(item.targetUid)) {
        claimed.add(item.targetUid);
        counts.present++;
      } else if (!sameFolder) {
        stale.push(item); // the folder was re-created: match by fingerprint below
      } else {
        const why = onTarget ? 'another message holds its target UID' : `target UID ${item.targetUid} is gone`;
        findings.push(missingFinding(item, targetFolder, why));
        toFail.push(failedWrite(item, why));
        counts.missingOnTarget++;
      }
    }
    if (stale.length > 0) {
      const free = [...fingerprints.values()].filter((copy) => !claimed.has(copy.key)).sort((a, b) => a.key - b.key);
      const matched = matchCopies(stale.map((item) => ({ item, ...ledgerKeys(item) })), free);
      for (const { item: { item }, key } of matched.matched) {
        claimed.add(key);
        counts.present++;
        counts.relinked++;
        relinks.push({ ...writeOf(item), state: 'migrated', targetFolder, targetUidValidity: listing.uidValidity, targetUid: key });
      }
      for (const { item } of matched.unmatched) {
        const why = 'the target folder was re-created (new UIDVALIDITY) and holds no matching message';
        findings.push(missingFinding(item, targetFolder, why));
        toFail.push(failedWrite(item, why));
        counts.missingOnTarget++;
      }
    }
    for (const [uid, meta] of fingerprints) {
      if (claimed.has(uid)) continue;
      findings.push({ kind: 'extra_on_target', sourceFolder: null, uidValidity: null, uid: null, targetFolder, targetUid: uid, subject: meta.subject, detail: 'no ledger record of this pair claims this message' });
      counts.extraOnTarget++;
    }
  }

  if (!options.dryRun) {
    if (toFail.length > 0) await writeItems(db, pair.id, input.passId, toFail);
    if (relinks.length > 0) await writeItems(db, pair.id, input.passId, relinks);
    if (input.passId !== null && findings.length > 0) await insertFindings(db, input.passId, pair.id, findings);
  }
  deps.logger.info({ pair: pair.id, ...counts }, 'verify pass done');
  return {
    counts,
    passCounts: { folders: counts.folders, skipped: counts.present, failed: counts.missingOnTarget, verify: counts },
    findings,
    warnings,
  };
}

function delimiterOf(folders: readonly FolderData[]): string {
  return folders.find((f) => f.path.toUpperCase() === 'INBOX')?.delimiter ?? folders.find((f) => f.delimiter)?.delimiter ?? '/';
}

/** A ledger row's keys, to compare with a target message (copy-identity.ts). */
function ledgerKeys(item: LedgerItem): CopyKeys {
  return { fingerprint: item.fingerprint, looseKey: looseKey(item.messageId, item.internalDate) };
}

function missingFinding(item: LedgerItem, targetFolder: string, detail: string): VerifyFinding {
  return { kind: 'missing_on_target', sourceFolder: item.sourceFolder, uidValidity: item.uidValidity, uid: item.uid, targetFolder, targetUid: item.targetUid, subject: item.subject, detail };
}

function writeOf(item: LedgerItem): LedgerWrite {
  return {
    sourceFolder: item.sourceFolder, uidValidity: item.uidValidity, uid: item.uid, fingerprint: item.fingerprint,
    messageId: item.messageId, size: item.size, internalDate: item.internalDate, subject: item.subject,
    state: item.state, targetFolder: item.targetFolder, targetUidValidity: item.targetUidValidity,
    targetUid: item.targetUid, reasonCode: item.reasonCode, reasonText: item.reasonText, flags: item.flags,
  };
}

function failedWrite(item: LedgerItem, why: string): LedgerWrite {
  return { ...writeOf(item), state: 'failed', targetFolder: null, targetUidValidity: null, targetUid: null, reasonCode: 'VERIFY_MISSING', reasonText: `verify: ${why}` };
}
