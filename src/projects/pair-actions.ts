/**
 * What people do to mailbox pairs and projects (the API's pair and project actions). Everything goes
 * through the database and the queue, never to a worker directly, so it works whichever process
 * receives the request and whichever machine runs the pass:
 * - a pass is a `sync-pair` job; the queue's singleton key makes a second request while one is
 *   queued a no-op (`jobId: null`, `alreadyQueued: true`);
 * - pause/stop set switches in the database; the running pass polls them and stops at its next batch
 *   boundary (its copied items stay copied, the ledger is exact), queued jobs see them and skip.
 */
import type pg from 'pg';
import { AppError } from '../core/app-error.ts';
import type { PassKind } from '../core/ledger.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import { resetLedger } from '../store/ledger.repository.ts';
import { listPasses } from '../store/pass.repository.ts';
import { getProject, setProjectPaused } from '../store/project.repository.ts';
import { getProjectPair, listProjectPairs, setPairPaused, setPairState, type ProjectPair } from '../store/project-pair.repository.ts';

/** What every action needs. */
export interface PairActionContext {
  readonly db: pg.Pool;
  readonly queue: TaskQueue;
}

/** The result of asking for a pass. */
export interface PassRequest {
  readonly pairId: string;
  readonly kind: PassKind;
  /** The queued job, or null when a pass of this pair was already queued. */
  readonly jobId: string | null;
  readonly alreadyQueued: boolean;
}

/** The result of a project-wide action. */
export interface ProjectActionResult {
  readonly projectId: string;
  /** Pairs the action applied to. */
  readonly pairs: number;
  /** Passes newly queued. */
  readonly queued: number;
  /** Pairs skipped (paused or stopped by hand, or a pass already queued). */
  readonly skipped: number;
}

async function requirePair(db: pg.Pool, pairId: string): Promise<ProjectPair> {
  const pair = await getProjectPair(db, pairId);
  if (!pair) throw new AppError('PAIR_NOT_FOUND', `no mailbox pair ${pairId}`, { details: { pairId } });
  return pair;
}

async function enqueuePass(ctx: PairActionContext, pair: ProjectPair, kind: PassKind): Promise<PassRequest> {
  // `queued` BEFORE the job exists: a worker woken by the job (NOTIFY, at once) must not find the pair
  // still `stopped` and skip it, nor finish the pass before this write and be overwritten by it.
  // A running pair keeps showing `running`; its next job shows once it starts.
  const marksQueued = pair.state !== 'running';
  if (marksQueued) await setPairState(ctx.db, pair.id, 'queued');
  let jobId: string | null;
  try {
    jobId = await ctx.queue.enqueue('sync-pair', { pairId: pair.id, kind });
  } catch (err) {
    if (marksQueued) await setPairState(ctx.db, pair.id, pair.state).catch(() => undefined);
    throw err;
  }
  // null: a job of this pair is queued already — the pair is queued either way.
  return { pairId: pair.id, kind, jobId, alreadyQueued: jobId === null };
}

/**
 * Queues a pass of `kind` for the pair. A stopped pair starts again (asking is the explicit act); a
 * paused pair, or a pair of a paused project, is refused with PAIR_PAUSED. PAIR_NOT_FOUND.
 */
export async function requestPass(ctx: PairActionContext, pairId: string, kind: PassKind): Promise<PassRequest> {
  const pair = await requirePair(ctx.db, pairId);
  if (pair.paused) throw new AppError('PAIR_PAUSED', `mailbox pair ${pairId} is paused; resume it first`, { details: { pairId } });
  if (pair.projectId !== null && (await getProject(ctx.db, pair.projectId))?.paused === true) {
    throw new AppError('PAIR_PAUSED', `the project of mailbox pair ${pairId} is paused; resume the project first`, { details: { pairId, projectId: pair.projectId } });
  }
  return enqueuePass(ctx, pair, kind);
}

/** Pauses the pair: a running pass stops at its next batch boundary, queued passes are skipped. */
export async function pausePair(ctx: PairActionContext, pairId: string): Promise<ProjectPair> {
  await requirePair(ctx.db, pairId);
  await setPairPaused(ctx.db, pairId, true);
  await setPairState(ctx.db, pairId, 'paused');
  return requirePair(ctx.db, pairId);
}

/** The pass that continues a pair's work: the kind of its interrupted last pass, else full for a new pair, else delta. */
async function resumeKind(db: pg.Pool, pairId: string): Promise<PassKind> {
  const [last] = await listPasses(db, pairId, 1);
  if (!last) return 'full';
  return last.status === 'interrupted' ? last.kind : 'delta';
}

/**
 * Resumes a paused pair and queues the pass that continues its work (unless its project is paused:
 * then resuming the project queues it). PAIR_NOT_FOUND.
 */
export async function resumePair(ctx: PairActionContext, pairId: string): Promise<PassRequest | null> {
  const pair = await requirePair(ctx.db, pairId);
  await setPairPaused(ctx.db, pairId, false);
  if (pair.state !== 'paused') return null;
  if (pair.projectId !== null && (await getProject(ctx.db, pair.projectId))?.paused === true) return null;
  await setPairState(ctx.db, pairId, 'idle');
  return enqueuePass(ctx, { ...pair, paused: false, state: 'idle' }, await resumeKind(ctx.db, pairId));
}

/** Stops the pair's pass (at the next batch boundary) and leaves it `stopped` until a pass is requested again. */
export async function stopPair(ctx: PairActionContext, pairId: string): Promise<ProjectPair> {
  await requirePair(ctx.db, pairId);
  await setPairState(ctx.db, pairId, 'stopped');
  return requirePair(ctx.db, pairId);
}

/**
 * Forgets what the ledger knows of the pair, or of one source folder: the next pass treats it as new
 * and looks on the target before copying (nothing already there is copied again). Refused while a pass
 * runs (PASS_ALREADY_RUNNING): stop the pair first.
 */
export async function resetPair(ctx: PairActionContext, pairId: string, folder?: string): Promise<{ items: number; folders: number }> {
  const pair = await requirePair(ctx.db, pairId);
  if (pair.state === 'running') {
    throw new AppError('PASS_ALREADY_RUNNING', `a pass of mailbox pair ${pairId} is running; stop the pair before resetting its ledger`, { details: { pairId } });
  }
  return resetLedger(ctx.db, pairId, folder);
}

/** Queues a delta pass, which retries the pair's failed items. */
export async function retryFailed(ctx: PairActionContext, pairId: string): Promise<PassRequest> {
  return requestPass(ctx, pairId, 'delta');
}

async function forEachPair(db: pg.Pool, projectId: string, batchId: string | undefined, fn: (pair: ProjectPair) => Promise<void>): Promise<number> {
  const PAGE = 1000;
  let seen = 0;
  for (let offset = 0; ; offset += PAGE) {
    const { pairs, total } = await listProjectPairs(db, projectId, { ...(batchId ? { batchId } : {}), sort: 'id', limit: PAGE, offset });
    for (const pair of pairs) await fn(pair);
    seen += pairs.length;
    if (pairs.length < PAGE || offset + PAGE >= total) return seen;
  }
}

async function requireProject(db: pg.Pool, projectId: string): Promise<void> {
  if (!(await getProject(db, projectId))) throw new AppError('PROJECT_NOT_FOUND', `no project ${projectId}`, { details: { projectId } });
}

/**
 * Queues a full pass for every pair of the project (or of one batch) that has none queued; paused
 * and stopped pairs are skipped. A paused project is refused (PAIR_PAUSED). PROJECT_NOT_FOUND.
 */
export async function startProject(ctx: PairActionContext, projectId: string, options: { batchId?: string } = {}): Promise<ProjectActionResult> {
  const project = await getProject(ctx.db, projectId);
  if (!project) throw new AppError('PROJECT_NOT_FOUND', `no project ${projectId}`, { details: { projectId } });
  if (project.paused) throw new AppError('PAIR_PAUSED', `project ${projectId} is paused; resume it first`, { details: { projectId } });
  let queued = 0;
  let skipped = 0;
  const pairs = await forEachPair(ctx.db, projectId, options.batchId, async (pair) => {
    if (pair.paused || pair.state === 'stopped') {
      skipped++;
      return;
    }
    const request = await enqueuePass(ctx, pair, 'full');
    if (request.alreadyQueued) skipped++;
    else queued++;
  });
  return { projectId, pairs, queued, skipped };
}

/** Pauses the project: running passes stop at their next batch boundary, queued ones wait. */
export async function pauseProject(ctx: PairActionContext, projectId: string): Promise<ProjectActionResult> {
  await requireProject(ctx.db, projectId);
  await setProjectPaused(ctx.db, projectId, true);
  let pairs = 0;
  await forEachPair(ctx.db, projectId, undefined, async (pair) => {
    // Queued pairs show the pause now; running ones when their pass has stopped.
    if (pair.state === 'queued') await setPairState(ctx.db, pair.id, 'paused');
    pairs++;
  });
  return { projectId, pairs, queued: 0, skipped: 0 };
}

/** Resumes the project and queues again every pair the project pause held (not those paused by hand). */
export async function resumeProject(ctx: PairActionContext, projectId: string): Promise<ProjectActionResult> {
  await requireProject(ctx.db, projectId);
  await setProjectPaused(ctx.db, projectId, false);
  let queued = 0;
  let skipped = 0;
  const pairs = await forEachPair(ctx.db, projectId, undefined, async (pair) => {
    if (pair.state !== 'paused' || pair.paused) return;
    const request = await enqueuePass(ctx, pair, await resumeKind(ctx.db, pair.id));
    if (request.alreadyQueued) skipped++;
    else queued++;
  });
  return { projectId, pairs, queued, skipped };
}
