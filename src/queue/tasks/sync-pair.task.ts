/**
 * `sync-pair`: runs one pass (full, delta, …, verify) over one pair — mailbox (IMAP) or calendars /
 * contacts (CalDAV/CardDAV; pass-runners.ts picks the engine) — on whichever worker took the job.
 *
 * 1. Skips a pair that is paused or stopped, or whose project is paused (the job completes; nothing runs).
 * 2. Loads the pair with its endpoints and secrets, reserves connection slots on both endpoints
 *    (waiting while the endpoints' caps are reached), marks the pair `running`.
 * 3. Runs the pass with an AbortSignal that fires on worker shutdown, on a lost job claim, on lost
 *    slots, and when someone pauses or stops the pair or project (polled in the database, so it works
 *    whichever machine the request reached).
 * 4. Records the pair's state: `completed` (with errors or not), `failed` with the error, or — when
 *    the worker is shutting down — `queued` again and throws PASS_HANDED_BACK so pg-boss retries the
 *    job on another worker. That pass resumes from the ledger: nothing is copied twice.
 */
import { z } from 'zod';
import type { PassKind } from '../../core/ledger.ts';
import { AppError, toAppError } from '../../core/app-error.ts';
import { getProject } from '../../store/project.repository.ts';
import { getProjectPair, markPairRunning, setPairState, settlePairState, type ProjectPair } from '../../store/project-pair.repository.ts';
import { PassProgressTracker } from '../pass-progress.ts';
import { preparePass, type RunnerOutcome } from './pass-runners.ts';
import { updatePassProgress } from '../../store/pass.repository.ts';
import { defineTask, type TaskResult, type TaskRun, type TaskRuntime } from '../task-definition.ts';
import type pg from 'pg';

/** Every pass kind a job may ask for. */
export const PASS_KINDS = ['full', 'delta', 'resync', 'final', 'sweep', 'verify'] as const satisfies readonly PassKind[];

/** Data of a `sync-pair` job. */
export const syncPairData = z.object({
  pairId: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a pair id'),
  kind: z.enum(PASS_KINDS),
});

/** Why a pair must not run now, or null. */
export async function holdReason(db: pg.Pool, pair: ProjectPair): Promise<'pair paused' | 'pair stopped' | 'project paused' | null> {
  if (pair.paused) return 'pair paused';
  if (pair.state === 'stopped') return 'pair stopped';
  if (pair.projectId !== null && (await getProject(db, pair.projectId))?.paused === true) return 'project paused';
  return null;
}

/** The `sync-pair` task. */
export const syncPairTask = defineTask({
  name: 'sync-pair',
  data: syncPairData,
  singletonKey: (data) => `pair:${data.pairId}`,
  run: runSyncPair,
});

async function runSyncPair(data: z.output<typeof syncPairData>, rt: TaskRuntime, run: TaskRun): Promise<TaskResult> {
  const log = rt.logger.child({ task: 'sync-pair', pair: data.pairId, kind: data.kind, job: run.jobId, attempt: run.attempt });
  const handedBack = (): AppError => new AppError('PASS_HANDED_BACK', `worker ${rt.workerName} stopped; the ${data.kind} pass of pair ${data.pairId} goes back to the queue`);

  const pair = await getProjectPair(rt.pool, data.pairId);
  if (!pair) {
    log.warn('pair no longer exists; job dropped');
    return { status: 'skipped', reason: 'pair not found' };
  }
  const hold = await holdReason(rt.pool, pair);
  if (hold) {
    // A project pause leaves its pairs `paused` so that resuming the project queues them again.
    if (hold === 'project paused') await setPairState(rt.pool, pair.id, 'paused');
    log.info({ hold }, 'pair on hold; pass not started');
    return { status: 'skipped', reason: hold };
  }
  if (run.shuttingDown()) throw handedBack();
  const pairId = pair.id;

  let prepared;
  try {
    // IMAP pairs run runPass; CalDAV/CardDAV pairs runDavPass (pass-runners.ts).
    prepared = await preparePass(rt, pair, data.kind);
  } catch (thrown) {
    const err = toAppError(thrown);
    if (err.retry === 'transient') throw err;
    await settlePairState(rt.pool, pair.id, 'failed', { code: err.code, text: err.message });
    log.warn({ err: err.toJSON() }, 'pair cannot be loaded');
    return { status: 'failed', error: err.code };
  }

  const control = new AbortController();
  const signal = AbortSignal.any([run.signal, control.signal]);
  const poller = setInterval(() => {
    void (async () => {
      const now = await getProjectPair(rt.pool, pair.id);
      const reason = now ? await holdReason(rt.pool, now) : 'pair deleted';
      if (reason && !control.signal.aborted) {
        log.info({ reason }, 'stopping the pass at the next batch boundary');
        control.abort(reason);
      }
    })().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not read the pair switches'));
  }, rt.controlPollMs);
  poller.unref();

  let reservation;
  try {
    reservation = await rt.slots.reserve(prepared.slots, {
      units: rt.passConnections, signal, pollMs: rt.slotPollMs,
      onWait: () => log.info('endpoint connection caps reached; waiting for a free slot'),
    });
  } catch (thrown) {
    clearInterval(poller);
    if (control.signal.aborted) return await held(String(control.signal.reason));
    if (run.shuttingDown()) throw handedBack();
    throw thrown;
  }

  let outcome;
  const progress = new PassProgressTracker();
  const flushProgress = async (): Promise<void> => {
    const record = progress.take();
    if (record && progress.passId) await updatePassProgress(rt.pool, progress.passId, record);
  };
  const progressTimer = setInterval(() => {
    flushProgress().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not store pass progress'));
  }, 1000);
  progressTimer.unref();
  try {
    if (!(await markPairRunning(rt.pool, pair.id))) {
      // Stopped or paused after the check above: the job ends without a pass (finally releases the slots).
      const now = await getProjectPair(rt.pool, pair.id);
      log.info({ state: now?.state, paused: now?.paused }, 'pair held just before the pass started');
      return { status: 'skipped', reason: now?.paused ? 'pair paused' : 'pair stopped' };
    }
    outcome = await prepared.run(AbortSignal.any([signal, reservation.signal]), reservation, progress);
    await flushProgress().catch(() => undefined);
  } catch (thrown) {
    // PASS_ALREADY_RUNNING (a killed worker's lock not yet freed) or a database error: retry later.
    const err = toAppError(thrown);
    await settlePairState(rt.pool, pair.id, 'queued').catch(() => undefined);
    log.warn({ err: err.toJSON() }, 'pass could not run; the queue retries it');
    throw err;
  } finally {
    clearInterval(progressTimer);
    clearInterval(poller);
    await reservation.release();
  }

  const result = { passId: outcome.passId, copied: outcome.copied, failed: outcome.failed, durationMs: Math.round(outcome.durationMs) };
  if (outcome.status === 'interrupted') {
    if (control.signal.aborted) return await held(String(control.signal.reason), outcome.passId);
    if (run.shuttingDown() || reservation.signal.aborted) {
      await settlePairState(rt.pool, pair.id, 'queued').catch(() => undefined);
      log.info(result, 'pass handed back to the queue');
      throw handedBack();
    }
    // The job's claim was lost (heartbeat, expiry): another worker owns the pair now; touch nothing.
    log.warn(result, 'job claim lost; pass left to the worker that took it over');
    throw new AppError('PASS_INTERRUPTED', 'the job claim was lost while the pass ran');
  }

  // A stop or pause that arrived after the pass's last batch keeps the pair stopped / paused.
  const err = outcome.status === 'failed' ? (outcome.error ?? new AppError('INTERNAL', 'the pass failed without an error')) : null;
  const pairState = err
    ? await settlePairState(rt.pool, pair.id, 'failed', { code: err.code, text: err.message })
    : await settlePairState(rt.pool, pair.id, 'completed', lastError(outcome));
  log.info({ ...result, status: outcome.status, pairState }, 'pass finished');
  return { status: outcome.status, ...result };

  async function held(reason: string, passId: string | null = null): Promise<TaskResult> {
    // pausePair/stopPair set the pair's state; a project pause leaves the pair `paused` for resumeProject.
    if (reason === 'project paused') await setPairState(rt.pool, pairId, 'paused');
    log.info({ reason, passId }, 'pass stopped on request');
    return { status: 'interrupted', reason, passId };
  }
}

function lastError(outcome: RunnerOutcome): { code: string; text: string } | null {
  if (outcome.error) return { code: outcome.error.code, text: outcome.error.message };
  const verify = outcome.verify;
  if (verify && verify.missingOnTarget + verify.notMigrated + verify.extraOnTarget > 0) {
    return {
      code: 'VERIFY_MISSING',
      text: `verify: ${verify.missingOnTarget} missing on the target, ${verify.notMigrated} not migrated, ${verify.extraOnTarget} extra on the target`,
    };
  }
  return null;
}
