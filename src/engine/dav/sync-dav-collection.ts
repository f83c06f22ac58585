/**
 * One source collection of a DAV pass: plan → diff → apply, with the ledger rules of mail passes.
 *  1. what changed: sync-collection since the stored token (RFC 6578 §3.2), else the PROPFIND listing
 *     compared with the ETags in the ledger; plus the collection's failed and in-doubt items;
 *  2. read the candidates (multiget), parse them: invalid → `failed` with the parser's reason; events
 *     outside the window → `excluded`; an ETag change with the same fingerprint → nothing to do;
 *  3. in-doubt items are looked up on the target (their target href, then their UID) before any write;
 *  4. new items: write-ahead `in_doubt`, PUT with `If-None-Match: *`, then `migrated` with the ETag;
 *     a 412 or a UID conflict means the target may already hold it: matched by UID, never doubled;
 *  5. changed items: PUT with `If-Match` (the ETag recorded at the last write), so an edit made on
 *     the target is kept and reported (DAV_ITEM_CONFLICT), not overwritten;
 *  6. store the new sync-token / ctag.
 */
import type { DavCollectionData, DavResourceBody, DavResourceData, DavSession } from '../../connectors/dav/types.ts';
import { AppError, toAppError } from '../../core/app-error.ts';
import type { Db } from '../../store/db.ts';
import { saveDavCollectionState, type DavCollectionState } from '../../store/dav-collection-state.repository.ts';
import { claimedTargetHrefs, getDavCollectionItems, writeDavItems, type DavItem, type DavItemWrite } from '../../store/dav-item.repository.ts';
import type { CollectionMapping } from './collection-map.ts';
import type { DavCollectionReport, DavPassOptions } from './dav-pass-types.ts';
import { inEventWindow } from './event-window.ts';
import { itemFingerprint } from './normalise-item.ts';
import { parseItem, type ParsedItem } from './parse-item.ts';
import { rewriteAddresses } from './rewrite-addresses.ts';
import { targetHref } from './target-href.ts';
import { needsConversion, vcard21To30 } from './vcard-convert.ts';
import { addUid, generatedUid } from './ensure-uid.ts';

/** Everything one collection needs. */
export interface SyncDavCollectionInput {
  readonly db: Db;
  readonly pairId: string;
  readonly passId: string | null;
  readonly source: DavSession;
  readonly target: DavSession | null;
  readonly mapping: CollectionMapping;
  /** The target collection as listed (null when it was just created). */
  readonly targetCollection: DavCollectionData | null;
  readonly state: DavCollectionState | undefined;
  readonly options: DavPassOptions;
  readonly filterHash: string;
  /** Read everything, not only changes (full pass, expired token, changed filters). */
  readonly listAll: boolean;
  readonly report: DavCollectionReport;
  readonly signal: AbortSignal | undefined;
  readonly onCopied: (count: number) => void;
}

interface Candidate {
  readonly resource: DavResourceBody;
  readonly parsed: ParsedItem;
  readonly previous: DavItem | undefined;
  /** The source item has no UID; `parsed.uid` is a generated one that is added when writing. */
  readonly uidAdded: boolean;
}

const RETRYABLE = new Set(['failed', 'in_doubt']);

/** Syncs one collection into `input.report`; throws transient and needs-user-action errors. */
export async function syncDavCollection(input: SyncDavCollectionInput): Promise<void> {
  const { report, mapping, source } = input;
  const sourceUrl = mapping.source.url;
  const sourceCollection = mapping.source.path;
  const useSync = mapping.source.supportsSyncCollection && !source.endpoint.disableSyncCollection;
  const ledger = await getDavCollectionItems(input.db, input.pairId, sourceCollection);

  // 1. What changed at the source.
  let members: DavResourceData[];
  let newToken: string | null = null;
  if (useSync) {
    report.method = 'sync-collection';
    const token = input.listAll ? null : input.state?.syncToken ?? null;
    try {
      const changes = await source.fetchChanges(sourceUrl, token);
      members = [...changes.changed];
      newToken = changes.syncToken;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'DAV_SYNC_TOKEN_INVALID')) throw err;
      const changes = await source.fetchChanges(sourceUrl, null);
      members = [...changes.changed];
      newToken = changes.syncToken;
    }
  } else {
    report.method = 'etag';
    members = await source.listResources(sourceUrl);
  }
  const seen = new Set(members.map((m) => m.href));
  // Failed and in-doubt items are retried even when the source did not change them.
  for (const item of ledger.values()) {
    if (RETRYABLE.has(item.state) && !seen.has(item.sourceHref)) {
      members.push({ href: item.sourceHref, etag: null });
      seen.add(item.sourceHref);
    }
  }
  const filtersChanged = input.state !== undefined && input.state.filterHash !== input.filterHash;
  const toRead: DavResourceData[] = [];
  for (const member of members) {
    const item = ledger.get(member.href);
    const reevaluate = item?.state === 'excluded' && filtersChanged;
    if (!item || RETRYABLE.has(item.state) || reevaluate || (member.etag !== null && item.sourceEtag !== member.etag && item.state !== 'excluded')) toRead.push(member);
    else if (item.state === 'excluded' && member.etag !== null && item.sourceEtag !== member.etag) toRead.push(member);
    else report.skipped++;
  }
  input.report.target = mapping.targetPath;

  // 2–5 in batches.
  const claimed = input.target && !input.options.dryRun ? await claimedTargetHrefs(input.db, input.pairId, mapping.targetPath) : new Map<string, string>();
  for (let i = 0; i < toRead.length; i += input.options.batchItems) {
    if (input.signal?.aborted) throw new AppError('PASS_INTERRUPTED', 'The pass was interrupted.');
    const batch = toRead.slice(i, i + input.options.batchItems);
    const bodies = await source.fetchResources(sourceUrl, batch.map((m) => m.href));
    const candidates: Candidate[] = bodies.map((resource) => {
      const parsed = parseItem(source.kind, resource.data);
      // No UID at the source: one derived from the source identity is added on the way (ensure-uid.ts).
      const uid = parsed.uid ?? (parsed.invalid === null ? generatedUid(sourceCollection, resource.href) : null);
      return { resource, parsed: { ...parsed, uid }, previous: ledger.get(resource.href), uidAdded: parsed.uid === null };
    });
    await applyBatch(input, candidates, claimed);
  }

  // 6. Remember the token (taken before reading: a change made since is reported again next time).
  if (!input.options.dryRun) {
    await saveDavCollectionState(input.db, {
      pairId: input.pairId, sourceCollection, targetCollection: mapping.targetPath,
      syncToken: newToken, ctag: mapping.source.ctag, filterHash: input.filterHash,
    });
  }
}

function row(input: SyncDavCollectionInput, c: Candidate, state: DavItemWrite['state'], extra: Partial<DavItemWrite> = {}): DavItemWrite {
  return {
    sourceCollection: input.mapping.source.path, sourceHref: c.resource.href, uid: c.parsed.uid, component: c.parsed.component,
    summary: c.parsed.summary, fingerprint: c.parsed.fingerprint, sourceEtag: c.resource.etag, size: c.parsed.size, state,
    targetCollection: input.mapping.targetPath, targetHref: null, targetEtag: null, reasonCode: null, reasonText: null, ...extra,
  };
}

function keyOf(input: SyncDavCollectionInput, href: string): string {
  return `${input.mapping.source.path}\u0000${href}`;
}

/** The bytes written to the target: converted only where the target requires it, addresses rewritten if asked. */
function outgoing(input: SyncDavCollectionInput, c: Candidate, convert = false): string {
  let data = c.resource.data;
  if (c.uidAdded && c.parsed.uid !== null) data = addUid(input.source.kind, data, c.parsed.uid);
  if (input.source.kind === 'carddav' && (convert || needsConversion(c.parsed.version, input.targetCollection?.addressDataVersions ?? []))) data = vcard21To30(data);
  return rewriteAddresses(data, input.options.rewrites);
}

async function applyBatch(input: SyncDavCollectionInput, candidates: readonly Candidate[], claimed: Map<string, string>): Promise<void> {
  const { report } = input;
  const decided: DavItemWrite[] = [];
  const fresh: Candidate[] = [];
  const changed: Candidate[] = [];
  for (const c of candidates) {
    if (c.parsed.invalid !== null) {
      report.failed++;
      decided.push(row(input, c, 'failed', { targetCollection: null, reasonCode: 'DAV_ITEM_INVALID', reasonText: c.parsed.invalid }));
    } else if (input.source.kind === 'caldav' && !inEventWindow(c.resource.data, input.options.eventWindow)) {
      report.excluded++;
      decided.push(row(input, c, 'excluded', { targetCollection: null, reasonCode: 'FILTER', reasonText: input.options.eventWindow?.rule ?? 'event window' }));
    } else if (c.previous?.state === 'migrated' && c.previous.targetHref) {
      if (c.previous.fingerprint === c.parsed.fingerprint) {
        // The ETag changed but the meaning did not (a server-side re-serialisation): remember the new ETag.
        report.skipped++;
        decided.push({ ...c.previous, sourceEtag: c.resource.etag, state: 'migrated' });
      } else {
        changed.push(c);
      }
    } else {
      fresh.push(c);
    }
  }
  const write = async (rows: readonly DavItemWrite[]): Promise<void> => {
    if (!input.options.dryRun) await writeDavItems(input.db, input.pairId, input.passId, rows);
  };
  await write(decided);
  const target = input.target;
  if (input.options.dryRun || !target) {
    report.copied += fresh.length;
    report.updated += changed.length;
    return;
  }

  // 3. In doubt: look on the target before writing again.
  const toWrite: Array<{ c: Candidate; href: string }> = [];
  const found: DavItemWrite[] = [];
  for (const c of fresh) {
    if (c.previous?.state === 'in_doubt') {
      const hit = await lookUp(input, target, c, c.previous.targetHref, claimed);
      if (hit) {
        found.push(row(input, c, 'migrated', { targetHref: hit.href, targetEtag: hit.etag }));
        claimed.set(hit.href, keyOf(input, c.resource.href));
        report.alreadyThere++;
        continue;
      }
    }
    toWrite.push({ c, href: c.previous?.targetHref ?? targetHref(input.mapping.targetPath, input.mapping.source.path, c.resource.href, input.source.kind === 'caldav' ? '.ics' : '.vcf') });
  }
  await write(found);

  // 4. New items: write-ahead, then PUT with If-None-Match: *.
  await write(toWrite.map(({ c, href }) => row(input, c, 'in_doubt', { targetHref: href })));
  for (const { c, href } of toWrite) claimed.set(href, keyOf(input, c.resource.href));
  const results = await Promise.all(toWrite.map(({ c, href }) => putNew(input, target, c, href, claimed).catch((err: unknown) => toAppError(err))));
  const outcome: DavItemWrite[] = [];
  let fatal: AppError | null = null;
  let transient: AppError | null = null;
  for (const [i, result] of results.entries()) {
    const { c } = toWrite[i] as { c: Candidate; href: string };
    if (result instanceof AppError) {
      if (result.retry === 'transient') {
        transient ??= result; // stays in_doubt: looked up next time
        continue;
      }
      report.failed++;
      outcome.push(row(input, c, 'failed', { reasonCode: result.code, reasonText: result.message }));
      if (result.retry === 'user') fatal ??= result;
      continue;
    }
    claimed.set(result.href, keyOf(input, c.resource.href));
    outcome.push(row(input, c, 'migrated', { targetHref: result.href, targetEtag: result.etag }));
    if (result.alreadyThere) report.alreadyThere++;
    else {
      report.copied++;
      report.bytes += c.parsed.size;
    }
  }
  // 5. Changed items.
  for (const c of changed) {
    const previous = c.previous as DavItem;
    try {
      const data = outgoing(input, c);
      const put = await target.put(previous.targetHref as string, data, { ifMatch: previous.targetEtag });
      if (put.ok) {
        report.updated++;
        report.bytes += c.parsed.size;
        outcome.push(row(input, c, 'migrated', { targetHref: previous.targetHref, targetEtag: put.etag }));
        continue;
      }
      // 412: the target copy changed since we wrote it — unless it already is this version (a crash after the PUT).
      const current = await target.getResource(previous.targetHref as string);
      if (current && itemFingerprint(current.data) === itemFingerprint(data)) {
        report.alreadyThere++;
        outcome.push(row(input, c, 'migrated', { targetHref: previous.targetHref, targetEtag: current.etag }));
      } else {
        report.failed++;
        outcome.push(row(input, c, 'failed', { targetHref: previous.targetHref, targetEtag: previous.targetEtag, reasonCode: 'DAV_ITEM_CONFLICT', reasonText: 'changed at the source and on the target since the last pass; the target copy was kept' }));
      }
    } catch (thrown) {
      const err = toAppError(thrown);
      if (err.retry === 'transient') {
        transient ??= err;
        continue;
      }
      report.failed++;
      outcome.push(row(input, c, 'failed', { targetHref: previous.targetHref, targetEtag: previous.targetEtag, reasonCode: err.code, reasonText: err.message }));
      if (err.retry === 'user') fatal ??= err;
    }
  }
  await write(outcome);
  input.onCopied(outcome.filter((o) => o.state === 'migrated').length + found.length);
  if (fatal) throw fatal;
  if (transient) throw transient;
}

/** An item on the target that is this candidate: at `href` with the same UID, or anywhere by UID, not claimed by another item. */
async function lookUp(input: SyncDavCollectionInput, target: DavSession, c: Candidate, href: string | null, claimed: ReadonlyMap<string, string>): Promise<{ href: string; etag: string | null } | null> {
  const mine = keyOf(input, c.resource.href);
  const free = (h: string): boolean => {
    const owner = claimed.get(h);
    return owner === undefined || owner === mine;
  };
  const sameItem = (data: string): boolean => {
    const parsed = parseItem(target.kind, data);
    return c.parsed.uid !== null ? parsed.uid === c.parsed.uid : parsed.fingerprint === itemFingerprint(outgoing(input, c));
  };
  if (href && free(href)) {
    const got = await target.getResource(href);
    if (got && sameItem(got.data)) return { href, etag: got.etag };
  }
  if (c.parsed.uid === null) return null;
  for (const hit of await target.findByUid(input.mapping.targetUrl, c.parsed.uid)) {
    if (free(hit.href)) return { href: hit.href, etag: hit.etag };
  }
  return null;
}

/** PUT of a new item with If-None-Match: *; a 412 or UID conflict is resolved by lookup, never by overwriting. */
async function putNew(input: SyncDavCollectionInput, target: DavSession, c: Candidate, href: string, claimed: Map<string, string>): Promise<{ href: string; etag: string | null; alreadyThere: boolean }> {
  let data = outgoing(input, c);
  let attemptHref = href;
  let converted = false;
  for (let attempt = 0; attempt < 4; attempt++) {
    let put;
    try {
      put = await target.put(attemptHref, data, { ifNoneMatch: true });
    } catch (err) {
      // A target that refuses vCard 2.1 without saying so in supported-address-data: convert to 3.0 and try once more.
      if (err instanceof AppError && err.code === 'DAV_ITEM_REJECTED' && c.parsed.version === '2.1' && !converted) {
        converted = true;
        data = outgoing(input, c, true);
        continue;
      }
      throw err;
    }
    if (put.ok) return { href: attemptHref, etag: put.etag, alreadyThere: false };
    const hit = await lookUp(input, target, c, put.reason === 'exists' ? attemptHref : put.existingHref, claimed);
    if (hit) return { ...hit, alreadyThere: true };
    if (put.reason === 'uid-conflict') {
      throw new AppError('DAV_UID_CONFLICT', `the target collection holds another item with UID ${c.parsed.uid ?? '(none)'} that is not this one`, { details: { uid: c.parsed.uid } });
    }
    // Another item holds this href: take an alternative name.
    attemptHref = targetHref(input.mapping.targetPath, input.mapping.source.path, c.resource.href, input.source.kind === 'caldav' ? '.ics' : '.vcf', attempt + 1);
  }
  throw new AppError('DAV_ITEM_REJECTED', `no free name for the item in ${input.mapping.targetPath}`, { details: { href } });
}
