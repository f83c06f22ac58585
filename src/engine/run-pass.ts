/**
 * Runs one pass over one mailbox pair: takes the pair's lock (one active pass per pair), reads the
 * source folders' STATUS in one round trip, opens only the folders that changed, maps and creates
 * target folders, then syncs folders in parallel lanes (one connection per side each, within the
 * endpoints' connection caps) and records the pass.
 *
 * The target is not contacted at all when no folder changed: that is what makes a no-change rerun
 * cost one LOGIN, one LIST-STATUS and a few queries.
 */
import { ByteBudget } from './byte-budget.ts';
import type { FolderData, FolderStatusData } from '../connectors/imap/types.ts';
import { AppError, toAppError } from '../core/app-error.ts';
import { emptyCounts, type PassCounts, type PassStatus } from '../core/ledger.ts';
import { getFolderStates } from '../store/folder-state.repository.ts';
import { pendingByFolder } from '../store/ledger.repository.ts';
import { acquirePairLock } from '../store/pair-lock.ts';
import { finishPass, interruptStalePasses, startPass } from '../store/pass.repository.ts';
import { backoffMs } from './classify-error.ts';
import { buildFilters, filterHash } from './filters.ts';
import { buildFolderMap } from './folder-map.ts';
import { DEFAULT_SPLIT_MESSAGES, newFolderReport, type FolderReport, type PairRef, type PassDeps, type PassOptions, type PassOutcome } from './pass-types.ts';
import { planFolder } from './plan-folders.ts';
import { startTargetFolders, subscribeTargetFolders } from './target-folders.ts';
import { syncFolder } from './sync-folder.ts';
import { SessionLane } from './session-lane.ts';
import { SharedCopies } from './shared-copies.ts';
import { returnsAppendUids } from './appended-uids.ts';
import { verifyPass } from './verify-pass.ts'; // verify hook (issue 3)

const FOLDER_ATTEMPTS = 3;

interface FolderJob {
  readonly folder: FolderData;
  readonly status: FolderStatusData;
  readonly reason: string;
}

function delimiterOf(folders: readonly FolderData[]): string {
  return folders.find((f) => f.path.toUpperCase() === 'INBOX')?.delimiter ?? folders.find((f) => f.delimiter)?.delimiter ?? '/';
}

/** Runs one pass. Never throws for mailbox problems: they are in the outcome. */
export async function runPass(deps: PassDeps, pair: PairRef, options: PassOptions): Promise<PassOutcome> {
  const startedAt = performance.now();
  const counts: PassCounts = emptyCounts();
  const reports: FolderReport[] = [];
  const warnings: string[] = [];
  const log = deps.logger.child({ pair: pair.id, pass: options.kind });

  const lock = options.dryRun ? null : await acquirePairLock(deps.pool, pair.id);
  if (!options.dryRun && !lock) {
    throw new AppError('PASS_ALREADY_RUNNING', `A pass for mailbox pair ${pair.id} is already running.`, { details: { pair: pair.id } });
  }
  let passId: string | null = null;
  let fatal: AppError | null = null;
  const lanes: SessionLane[] = [];
  try {
    if (!options.dryRun) {
      await interruptStalePasses(deps.pool, pair.id);
      passId = (await startPass(deps.pool, { pairId: pair.id, kind: options.kind, worker: options.worker, startedAt: deps.clock.now() })).id;
      deps.onProgress?.({ type: 'pass-started', passId });
    }
    const control = new SessionLane(deps, pair, 0);
    lanes.push(control);
    // --- verify hook (issue 3): a verify pass compares the ledger with both servers, copies nothing.
    if ((options.kind as string) === 'verify') {
      const verified = await verifyPass({ deps, pair, options, passId, source: await control.sourceSession(), target: await control.targetSession() });
      Object.assign(counts, verified.passCounts);
      warnings.push(...verified.warnings);
      const { missingOnTarget, notMigrated, extraOnTarget } = verified.counts;
      return await finish(missingOnTarget + notMigrated + extraOnTarget > 0 ? 'completed_with_errors' : 'completed');
    }
    // --- end verify hook
    const source = await control.sourceSession();

    // Plan: which folders changed since the last pass?
    const sourceFolders = await source.listFolders();
    const selectionOnly = buildFolderMap(sourceFolders, [], folderMapOptions(options, delimiterOf(sourceFolders), delimiterOf(sourceFolders)));
    const selected = selectionOnly.mappings.filter((m) => m.selectable).map((m) => m.source);
    const statuses = await source.statusAll(selected, { condstore: source.info.capabilities.has('CONDSTORE') });
    const states = await getFolderStates(deps.pool, pair.id);
    const pending = await pendingByFolder(deps.pool, pair.id);
    const filter = buildFilters(options.filters, deps.clock.now());
    const settingsHash = filterHash(filter);
    const force = options.kind === 'full' || options.kind === 'verify';
    const jobs: FolderJob[] = [];
    const byPath = new Map(sourceFolders.map((f) => [f.path, f]));
    for (const path of selected) {
      const status = statuses.get(path);
      const folder = byPath.get(path);
      if (!status || !folder) {
        warnings.push(`Folder "${path}" could not be read at the source (STATUS failed); it is retried next pass.`);
        continue;
      }
      const decision = planFolder({
        status, state: states.get(path), pending: pending.get(path) ?? 0, settingsHash,
        timeDependentFilter: filter.timeDependent, syncFlags: options.syncFlags, force,
      });
      if (decision.action === 'sync') jobs.push({ folder, status, reason: decision.reason });
    }
    counts.folders = selected.length;
    // A first estimate for progress bars: what STATUS says is new since the last pass of each folder.
    const estimatedItems = jobs.reduce((sum, job) => sum + Math.max(0, job.status.messages - (states.get(job.folder.path)?.messages ?? 0)), 0);
    deps.onProgress?.({ type: 'plan', folders: selected.length, foldersToSync: jobs.length, estimatedItems });
    log.debug({ folders: selected.length, toSync: jobs.length }, 'planned pass');
    if (jobs.length === 0 && !options.justFolders) return await finish('completed');

    // Map and create target folders.
    const target = await control.targetSession();
    const targetFolders = await target.listFolders();
    const map = buildFolderMap(sourceFolders, targetFolders, folderMapOptions(options, delimiterOf(sourceFolders), delimiterOf(targetFolders)));
    warnings.push(...map.warnings);
    const targetOf = new Map(map.mappings.map((m) => [m.source, m.target]));
    const wantedTargets = options.justFolders ? map.mappings.filter((m) => m.selectable).map((m) => m.target) : jobs.map((j) => targetOf.get(j.folder.path) as string);
    // Sync folders in lanes, biggest first so the lanes finish together; their target folders are
    // created in that order in the background while the lanes read the source.
    jobs.sort((a, b) => b.status.messages - a.status.messages);
    const creationOrder = options.justFolders ? wantedTargets : jobs.map((j) => targetOf.get(j.folder.path) as string);
    const created = startTargetFolders(() => control.targetSession(), targetFolders, creationOrder, delimiterOf(targetFolders), options.dryRun);
    const finishFolders = async (): Promise<boolean> => {
      const refused = await created.done;
      for (const [folder, err] of refused) warnings.push(`Target folder "${folder}" could not be created: ${err.message}`);
      if (!options.dryRun) warnings.push(...(await subscribeTargetFolders(await control.targetSession(), targetFolders, creationOrder, refused)));
      return refused.size > 0;
    };
    if (options.justFolders) return await finish((await finishFolders()) ? 'completed_with_errors' : 'completed');
    // One lane per folder, and for a large folder as many as its shares can keep busy.
    // A target without UIDPLUS gets no folder shares: its UIDs are found after each APPEND by reading
    // what arrived, which must be one connection's batch at a time (appended-uids.ts).
    const split = returnsAppendUids(target) ? (options.splitMessages ?? DEFAULT_SPLIT_MESSAGES) : 0;
    const newItems = (job: FolderJob): number => Math.max(0, job.status.messages - (states.get(job.folder.path)?.messages ?? 0));
    const lanesOfUse = jobs.reduce((n, job) => n + (split > 0 ? Math.max(1, Math.ceil(newItems(job) / split)) : 1), 0);
    const laneCount = Math.max(1, Math.min(options.connections, lanesOfUse));
    const share = laneCount > 1 && split > 0 ? new SharedCopies() : null;
    for (let i = 1; i < laneCount; i++) lanes.push(new SessionLane(deps, pair, i));
    const appendLimit = target.info.appendLimit;
    const budget = new ByteBudget(options.memoryBytes);
    let next = 0;
    const refusedLanes: AppError[] = [];
    const runLane = async (lane: SessionLane, index: number): Promise<void> => {
      if (index > 0 && !(await connects(lane))) return;
      await runFolders(lane);
      // No folder left: help copy the shares of large folders still being copied.
      for (let task = await share?.next(); task; task = await share?.next()) {
        try {
          // Started even when the pass is stopping: an aborted copy throws at once, and its owner learns of it.
          await task.start(async () => ({ source: await lane.sourceSession(), target: await lane.targetSession() }));
        } catch {
          // The share's owner reports the error and retries its folder; this lane starts afresh.
          await lane.reset();
        }
      }
    };
    /**
     * An extra lane opens its connections before it takes a folder. Servers cap connections per
     * account (Gmail 15, Microsoft 365 ≈20, Dovecot's mail_max_userip_connections) and answer the
     * one too many with `NO [LIMIT]` or a refusal: that lane steps aside and the pass goes on with
     * the lanes it has, instead of failing the folders it would have taken. Lane 0 is already open.
     */
    const connects = async (lane: SessionLane): Promise<boolean> => {
      try {
        await lane.sourceSession();
        if (!options.dryRun) await lane.targetSession();
        return true;
      } catch (thrown) {
        const err = toAppError(thrown);
        refusedLanes.push(err);
        log.warn({ err: err.toJSON() }, 'a connection could not be opened; the pass goes on with fewer');
        await lane.reset();
        return false;
      }
    };
    const runFolders = async (lane: SessionLane): Promise<void> => {
      while (!fatal && !deps.signal?.aborted) {
        const job = jobs[next++];
        if (!job) return;
        share?.laneBusy(true);
        try {
          await runFolder(lane, job);
        } finally {
          share?.laneBusy(false);
        }
      }
    };
    const runFolder = async (lane: SessionLane, job: FolderJob): Promise<void> => {
      const targetFolder = targetOf.get(job.folder.path) as string;
      const report = newFolderReport(job.folder.path, targetFolder, job.reason);
      const doneThisPass = new Set<number>();
      for (let attempt = 1; ; attempt++) {
        try {
          await syncFolder({
            report, doneThisPass,
            db: deps.pool, pairId: pair.id, passId, source: await lane.sourceSession(),
            target: options.dryRun ? null : await lane.targetSession(),
            sourceFolder: job.folder.path, targetFolder, reason: job.reason, status: job.status,
            state: states.get(job.folder.path), filter, settingsHash,
            reevaluateExcluded: filter.timeDependent || states.get(job.folder.path)?.filterHash !== settingsHash,
            syncFlags: options.syncFlags, dryRun: options.dryRun,
            targetReady: () => created.ready(targetFolder),
            targetPreexisting: created.preexisting.has(targetFolder),
            appendLimit, batchMessages: options.batchMessages, batchBytes: options.batchBytes, budget, signal: deps.signal,
            share, splitMessages: split,
            onPlanned: (toCopy, bytes) => deps.onProgress?.({ type: 'folder-planned', folder: job.folder.path, toCopy, bytes }),
            onCopied: (count, bytes) => deps.onProgress?.({ type: 'copied', folder: job.folder.path, count, bytes }),
          });
          record(report);
          if (report.error?.retry === 'user') fatal ??= report.error;
          break;
        } catch (thrown) {
          const err = toAppError(thrown);
          if (err.code === 'PASS_INTERRUPTED' || deps.signal?.aborted) {
            record(report); // what was copied before the interruption still counts
            return;
          }
          if (err.retry === 'transient' && attempt < FOLDER_ATTEMPTS) {
            log.warn({ folder: job.folder.path, attempt, err: err.toJSON() }, 'folder failed, retrying on a new connection');
            await lane.reset();
            await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
            continue;
          }
          report.error = err;
          record(report);
          if (err.retry === 'user') fatal ??= err;
          break;
        }
      }
    };
    await Promise.all(lanes.map((lane, index) => runLane(lane, index)));
    if (refusedLanes.length > 0) {
      warnings.push(`${laneCount - refusedLanes.length} of ${laneCount} connections per side were used: ${refusedLanes.length} could not be opened (${refusedLanes[0]?.message ?? ''}). Lower --connections (or the endpoint's connection limit) to the server's cap.`);
    }
    const someRefused = deps.signal?.aborted ? false : await finishFolders();
    if (deps.signal?.aborted) return await finish('interrupted', new AppError('PASS_INTERRUPTED', 'The pass was interrupted; run it again to resume.'));
    if (fatal) return await finish('failed', fatal);
    const hadErrors = counts.failed > 0 || reports.some((r) => r.error) || someRefused;
    return await finish(hadErrors ? 'completed_with_errors' : 'completed');
  } catch (thrown) {
    const err = toAppError(thrown);
    return await finish(err.code === 'PASS_INTERRUPTED' ? 'interrupted' : 'failed', err);
  } finally {
    await Promise.all(lanes.map((lane) => lane.close()));
    await lock?.release();
  }

  function record(report: FolderReport): void {
    reports.push(report);
    counts.copied += report.copied;
    counts.alreadyThere += report.alreadyThere;
    counts.skipped += report.skipped;
    counts.excluded += report.excluded;
    counts.failed += report.failed;
    counts.bytes += report.bytes;
    counts.flagsUpdated += report.flagsUpdated;
    deps.onProgress?.({ type: 'folder-done', report });
  }

  async function finish(status: PassStatus, error: AppError | null = null): Promise<PassOutcome> {
    fatal = error ?? fatal;
    if (passId !== null) {
      await finishPass(deps.pool, passId, { status, counts, errorCode: fatal?.code ?? null, errorText: fatal?.message ?? null });
    }
    return { passId, status, counts, folders: reports, error: fatal, warnings, durationMs: performance.now() - startedAt, dryRun: options.dryRun };
  }
}

function folderMapOptions(options: PassOptions, sourceDelimiter: string, targetDelimiter: string) {
  const s = options.selection;
  return {
    include: [...s.include], exclude: [...s.exclude], folders: s.folders ? [...s.folders] : null,
    regexTrans: s.regexTrans.map((r) => ({ pattern: r.pattern, replacement: r.replacement })),
    automap: s.automap, sourceDelimiter, targetDelimiter,
  };
}

