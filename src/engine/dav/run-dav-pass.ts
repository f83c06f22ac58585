/**
 * Runs one DAV pass over one calendar or address-book pair: takes the pair's lock (one active pass
 * per pair, as for mail), discovers the source collections, skips the unchanged ones (same sync-token
 * or ctag as the last pass, nothing pending), maps and creates target collections, then syncs each
 * changed collection. A bad collection is reported and the others go on; an error that needs a person
 * (credentials, quota) stops the pass. When nothing changed the target is not contacted at all.
 */
import { createHash } from 'node:crypto';
import type { DavCollectionData, DavSession } from '../../connectors/dav/types.ts';
import { AppError, toAppError, withDetails } from '../../core/app-error.ts';
import type { PassStatus } from '../../core/ledger.ts';
import { getDavCollectionStates } from '../../store/dav-collection-state.repository.ts';
import { pendingDavByCollection } from '../../store/dav-item.repository.ts';
import { acquirePairLock } from '../../store/pair-lock.ts';
import { finishPass, interruptStalePasses, startPass } from '../../store/pass.repository.ts';
import { mapCollections } from './collection-map.ts';
import { newCollectionReport, type DavCollectionReport, type DavPairRef, type DavPassCounts, type DavPassDeps, type DavPassOptions, type DavPassOutcome } from './dav-pass-types.ts';
import { syncDavCollection } from './sync-dav-collection.ts';

const COLLECTION_ATTEMPTS = 3;

/** Hash of the settings that decide `excluded` and the written bytes: a change re-reads the collections. */
export function davFilterHash(options: DavPassOptions): string {
  const w = options.eventWindow;
  return createHash('sha256').update(JSON.stringify({
    from: w?.from?.toISOString() ?? null, until: w?.until?.toISOString() ?? null,
    rewrites: options.rewrites.map((r) => `${r.from.toLowerCase()}=${r.to.toLowerCase()}`),
  })).digest('hex').slice(0, 16);
}

function emptyDavCounts(): DavPassCounts {
  return { collections: 0, copied: 0, updated: 0, alreadyThere: 0, skipped: 0, excluded: 0, failed: 0, bytes: 0 };
}

/** Runs one DAV pass. Never throws for collection or item problems: they are in the outcome. */
export async function runDavPass(deps: DavPassDeps, pair: DavPairRef, options: DavPassOptions): Promise<DavPassOutcome> {
  const startedAt = performance.now();
  const counts = emptyDavCounts();
  const reports: DavCollectionReport[] = [];
  const warnings: string[] = [];
  const log = deps.logger.child({ pair: pair.id, pass: options.kind, dav: pair.kind });
  const lock = options.dryRun ? null : await acquirePairLock(deps.pool, pair.id);
  if (!options.dryRun && !lock) {
    throw new AppError('PASS_ALREADY_RUNNING', `A pass for ${pair.kind} pair ${pair.id} is already running.`, { details: { pair: pair.id } });
  }
  let passId: string | null = null;
  let fatal: AppError | null = null;
  const sessions: DavSession[] = [];
  const signal = lock ? (deps.signal ? AbortSignal.any([deps.signal, lock.signal]) : lock.signal) : deps.signal;
  try {
    if (!options.dryRun) {
      await interruptStalePasses(deps.pool, pair.id);
      passId = (await startPass(deps.pool, { pairId: pair.id, kind: options.kind, worker: options.worker })).id;
    }
    const source = deps.openSession(pair.source, pair.kind);
    sessions.push(source);
    const sourceHome = await source.discover().catch((err: unknown) => {
      throw withDetails(toAppError(err), { side: 'source' });
    });
    const sourceCollections = await source.listCollections(sourceHome.homeSets);
    counts.collections = sourceCollections.length;

    // Plan: which collections changed since the last pass?
    const states = await getDavCollectionStates(deps.pool, pair.id);
    const pending = await pendingDavByCollection(deps.pool, pair.id);
    const filterHash = davFilterHash(options);
    const full = options.kind === 'full';
    const jobs: Array<{ collection: DavCollectionData; reason: string }> = [];
    for (const collection of sourceCollections) {
      const state = states.get(collection.path);
      let reason: string | null = null;
      if (!state) reason = 'new';
      else if (full) reason = 'full';
      else if (state.filterHash !== filterHash) reason = 'filters-changed';
      else if ((pending.get(collection.path) ?? 0) > 0) reason = 'pending';
      else if (collection.syncToken !== null && collection.supportsSyncCollection && !pair.source.disableSyncCollection) {
        if (collection.syncToken !== state.syncToken) reason = 'changes';
      } else if (collection.ctag === null || collection.ctag !== state.ctag) reason = 'changes';
      if (reason) jobs.push({ collection, reason });
    }
    log.debug({ collections: sourceCollections.length, toSync: jobs.length }, 'planned DAV pass');
    if (jobs.length === 0) return await finish('completed');

    // Map and create target collections.
    const target = deps.openSession(pair.target, pair.kind);
    sessions.push(target);
    const targetHome = await target.discover().catch((err: unknown) => {
      throw withDetails(toAppError(err), { side: 'target' });
    });
    const targetCollections = await target.listCollections(targetHome.homeSets);
    const home = targetHome.homeSets[0] as string;
    const mappings = mapCollections(jobs.map((j) => j.collection), targetCollections, home, options.collectionRules);
    for (const [index, mapping] of mappings.entries()) {
      if (signal?.aborted) break;
      const job = jobs[index] as { collection: DavCollectionData; reason: string };
      const report = newCollectionReport(mapping.source.path, mapping.targetPath, job.reason);
      try {
        if (mapping.create && !options.dryRun) {
          await target.createCollection(mapping.targetUrl, {
            displayName: mapping.source.displayName, description: mapping.source.description,
            color: mapping.source.color, components: mapping.source.components,
          });
        }
      } catch (thrown) {
        report.error = toAppError(thrown);
        record(report);
        if (report.error.retry === 'user' && report.error.code !== 'DAV_COLLECTION_CREATE_FAILED') fatal ??= report.error;
        continue;
      }
      const targetCollection = targetCollections.find((t) => t.path === mapping.targetPath) ?? null;
      for (let attempt = 1; ; attempt++) {
        try {
          await syncDavCollection({
            db: deps.pool, pairId: pair.id, passId, source, target: options.dryRun ? null : target, mapping, targetCollection,
            state: states.get(mapping.source.path), options, filterHash, listAll: job.reason !== 'changes' && job.reason !== 'pending',
            report, signal, onCopied: (count) => deps.onProgress?.({ type: 'copied', collection: mapping.source.path, count }),
          });
          break;
        } catch (thrown) {
          const err = toAppError(thrown);
          if (err.code === 'PASS_INTERRUPTED' || signal?.aborted) {
            record(report);
            return await finish('interrupted', new AppError('PASS_INTERRUPTED', 'The pass was interrupted; run it again to resume.'));
          }
          if (err.retry === 'transient' && attempt < COLLECTION_ATTEMPTS) {
            log.warn({ collection: mapping.source.path, attempt, err: err.toJSON() }, 'collection failed, retrying');
            await new Promise((r) => setTimeout(r, 500 * attempt));
            continue;
          }
          report.error = err;
          if (err.retry === 'user') fatal ??= err;
          break;
        }
      }
      record(report);
      if (fatal) break;
    }
    if (signal?.aborted) return await finish('interrupted', new AppError('PASS_INTERRUPTED', 'The pass was interrupted; run it again to resume.'));
    if (fatal) return await finish('failed', fatal);
    return await finish(counts.failed > 0 || reports.some((r) => r.error) ? 'completed_with_errors' : 'completed');
  } catch (thrown) {
    const err = toAppError(thrown);
    return await finish(err.code === 'PASS_INTERRUPTED' ? 'interrupted' : 'failed', err);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    await lock?.release();
  }

  function record(report: DavCollectionReport): void {
    reports.push(report);
    counts.copied += report.copied;
    counts.updated += report.updated;
    counts.alreadyThere += report.alreadyThere;
    counts.skipped += report.skipped;
    counts.excluded += report.excluded;
    counts.failed += report.failed;
    counts.bytes += report.bytes;
  }

  async function finish(status: PassStatus, error: AppError | null = null): Promise<DavPassOutcome> {
    fatal = error ?? fatal;
    if (passId !== null) {
      const stored = { ...counts, folders: counts.collections, flagsUpdated: 0 };
      await finishPass(deps.pool, passId, { status, counts: stored, errorCode: fatal?.code ?? null, errorText: fatal?.message ?? null });
    }
    return { passId, kind: pair.kind, status, counts, collections: reports, error: fatal, warnings, durationMs: performance.now() - startedAt, dryRun: options.dryRun };
  }
}
