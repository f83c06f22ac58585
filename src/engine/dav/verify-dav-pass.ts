/**
 * The verify pass of a calendar or contacts pair: copies nothing, compares the DAV ledger with both
 * servers and names every difference in `verify_findings` (same table and kinds as mail, see
 * engine/verify-pass.ts; source_folder/target_folder hold collection paths, subject the summary,
 * detail the href and UID):
 *  - `missing_on_target`: the ledger says `migrated`, but neither the recorded target href nor any
 *    resource with the item's UID is in the target collection. The row is set back to `failed`
 *    (VERIFY_MISSING), keeping its target href, so the next delta (reason `pending`) PUTs it again.
 *  - `not_migrated`: a source resource the ledger does not account for (no row, `failed`, `in_doubt`).
 *  - `extra_on_target`: a resource in a target collection of the migration no ledger row claims.
 * A migrated item found under its UID at another href is relinked (the ledger follows it).
 */
import type { DavSession } from '../../connectors/dav/types.ts';
import { AppError, toAppError, withDetails } from '../../core/app-error.ts';
import type { PassStatus } from '../../core/ledger.ts';
import { listDavItems, writeDavItems, type DavItem, type DavItemWrite } from '../../store/dav-item.repository.ts';
import { acquirePairLock } from '../../store/pair-lock.ts';
import { finishPass, interruptStalePasses, startPass } from '../../store/pass.repository.ts';
import { insertFindings, type VerifyFindingInput } from '../../store/verify-finding.repository.ts';
import type { DavPairRef, DavPassDeps, DavPassOptions } from './dav-pass-types.ts';

/** What a DAV verify pass counted (the names the queue task reads for the pair's last error). */
export interface DavVerifyCounts {
  collections: number;
  sourceItems: number;
  /** Ledger items `migrated` that were looked for on the target … */
  checked: number;
  /** … of which were found (at their href or by UID). */
  present: number;
  missingOnTarget: number;
  notMigrated: number;
  extraOnTarget: number;
  relinked: number;
}

/** The outcome of a DAV verify pass. */
export interface DavVerifyOutcome {
  readonly passId: string | null;
  readonly status: PassStatus;
  readonly verify: DavVerifyCounts;
  readonly findings: readonly VerifyFindingInput[];
  readonly error: AppError | null;
  readonly durationMs: number;
}

/** Ledger rows read per page (every row of the pair is compared). */
const PAGE = 5000;

async function allItems(deps: DavPassDeps, pairId: string): Promise<DavItem[]> {
  const items: DavItem[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await listDavItems(deps.pool, pairId, { limit: PAGE, offset });
    items.push(...page);
    if (page.length < PAGE) return items;
  }
}

const detailOf = (href: string, uid: string | null): string => (uid === null ? href : `${href} (UID ${uid})`);

/** Runs one verify pass over a DAV pair. Never throws for server problems: they are in the outcome. */
export async function runDavVerifyPass(deps: DavPassDeps, pair: DavPairRef, options: Pick<DavPassOptions, 'dryRun' | 'worker'>): Promise<DavVerifyOutcome> {
  const startedAt = performance.now();
  const verify: DavVerifyCounts = { collections: 0, sourceItems: 0, checked: 0, present: 0, missingOnTarget: 0, notMigrated: 0, extraOnTarget: 0, relinked: 0 };
  const findings: VerifyFindingInput[] = [];
  const lock = options.dryRun ? null : await acquirePairLock(deps.pool, pair.id);
  if (!options.dryRun && !lock) {
    throw new AppError('PASS_ALREADY_RUNNING', `A pass for ${pair.kind} pair ${pair.id} is already running.`, { details: { pair: pair.id } });
  }
  const signal = lock ? (deps.signal ? AbortSignal.any([deps.signal, lock.signal]) : lock.signal) : deps.signal;
  const sessions: DavSession[] = [];
  let passId: string | null = null;
  try {
    if (!options.dryRun) {
      await interruptStalePasses(deps.pool, pair.id);
      passId = (await startPass(deps.pool, { pairId: pair.id, kind: 'verify', worker: options.worker })).id;
    }
    const ledger = await allItems(deps, pair.id);
    const byKey = new Map(ledger.map((item) => [`${item.sourceCollection}\u0000${item.sourceHref}`, item]));

    // Source: every resource must be accounted for.
    const source = deps.openSession(pair.source, pair.kind);
    sessions.push(source);
    const sourceHome = await source.discover().catch((err: unknown) => {
      throw withDetails(toAppError(err), { side: 'source' });
    });
    const sourceCollections = await source.listCollections(sourceHome.homeSets);
    verify.collections = sourceCollections.length;
    for (const collection of sourceCollections) {
      if (signal?.aborted) return await finish('interrupted', new AppError('PASS_INTERRUPTED', 'The pass was interrupted; run it again.'));
      for (const resource of await source.listResources(collection.url)) {
        verify.sourceItems++;
        const item = byKey.get(`${collection.path}\u0000${resource.href}`);
        if (item && (item.state === 'migrated' || item.state === 'excluded')) continue;
        verify.notMigrated++;
        findings.push({
          kind: 'not_migrated', sourceFolder: collection.path, subject: item?.summary ?? null,
          detail: `${detailOf(resource.href, item?.uid ?? null)}${item ? `: ${item.state}${item.reasonCode ? ` (${item.reasonCode})` : ''}` : ': no ledger row'}`,
        });
      }
    }

    // Target: each migrated item where the ledger says (or under its UID); nothing unclaimed beside them.
    const target = deps.openSession(pair.target, pair.kind);
    sessions.push(target);
    await target.discover().catch((err: unknown) => {
      throw withDetails(toAppError(err), { side: 'target' });
    });
    const targetCollections = [...new Set(ledger.flatMap((i) => (i.targetCollection !== null && i.state === 'migrated' ? [i.targetCollection] : [])))];
    const backToFailed: DavItemWrite[] = [];
    const relinked: DavItemWrite[] = [];
    for (const collection of targetCollections) {
      if (signal?.aborted) return await finish('interrupted', new AppError('PASS_INTERRUPTED', 'The pass was interrupted; run it again.'));
      const url = new URL(collection, pair.target.url).href;
      const onTarget = new Set((await target.listResources(url)).map((r) => r.href));
      const claimed = new Set<string>();
      for (const item of ledger) {
        if (item.targetCollection !== collection || item.targetHref === null) continue;
        claimed.add(item.targetHref);
        if (item.state !== 'migrated') continue;
        verify.checked++;
        if (onTarget.has(item.targetHref)) {
          verify.present++;
          continue;
        }
        const hits = item.uid === null ? [] : await target.findByUid(url, item.uid);
        const hit = hits[0];
        if (hit) {
          verify.present++;
          verify.relinked++;
          claimed.add(hit.href);
          relinked.push({ ...item, targetHref: hit.href, targetEtag: hit.etag });
          continue;
        }
        verify.missingOnTarget++;
        findings.push({ kind: 'missing_on_target', sourceFolder: item.sourceCollection, targetFolder: collection, subject: item.summary, detail: detailOf(item.targetHref, item.uid) });
        backToFailed.push({ ...item, state: 'failed', reasonCode: 'VERIFY_MISSING', reasonText: `verify pass: not on the target at ${item.targetHref}` });
      }
      for (const href of onTarget) {
        if (claimed.has(href)) continue;
        verify.extraOnTarget++;
        findings.push({ kind: 'extra_on_target', targetFolder: collection, detail: href });
      }
    }
    if (passId !== null) {
      await writeDavItems(deps.pool, pair.id, passId, [...backToFailed, ...relinked]);
      await insertFindings(deps.pool, passId, pair.id, findings);
    }
    return await finish('completed');
  } catch (thrown) {
    const err = toAppError(thrown);
    return await finish(err.code === 'PASS_INTERRUPTED' ? 'interrupted' : 'failed', err);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    await lock?.release();
  }

  async function finish(status: PassStatus, error: AppError | null = null): Promise<DavVerifyOutcome> {
    if (passId !== null) {
      // Same record shape as the mail verify pass: skipped = present, failed = missing, plus `verify`.
      const counts = {
        folders: verify.collections, copied: 0, alreadyThere: 0, skipped: verify.present, excluded: 0, failed: verify.missingOnTarget,
        bytes: 0, flagsUpdated: 0, verify,
      };
      await finishPass(deps.pool, passId, { status, counts, errorCode: error?.code ?? null, errorText: error?.message ?? null });
    }
    return { passId, status, verify, findings, error, durationMs: performance.now() - startedAt };
  }
}
