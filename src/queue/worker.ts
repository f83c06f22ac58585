/**
 * A worker: takes jobs of every registered task from pg-boss, up to `concurrency` at once, and runs
 * their handlers. Any number of workers, in any number of processes and machines, share one queue.
 *
 * Graceful stop (SIGTERM): stop taking jobs, abort the running passes (they stop at the next batch
 * boundary and record themselves `interrupted`), and let each handler hand its job back (it throws,
 * pg-boss puts the job in `retry`, another worker resumes the pass from the ledger). A worker that
 * dies without stopping (SIGKILL) stops sending heartbeats; the supervisor of any live process then
 * returns its jobs to the queue (see boss.ts).
 */
import type { PgBoss } from 'pg-boss';
import type pg from 'pg';
import { AppError, toAppError } from '../core/app-error.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { SessionOpener } from '../engine/pass-types.ts';
import { EndpointSlots } from '../store/endpoint-slots.ts';
import type { TaskDefinition, TaskRuntime } from './task-definition.ts';
import { TASKS } from './task-registry.ts';

/** What `startWorker` needs. */
export interface WorkerDeps {
  readonly boss: PgBoss;
  readonly pool: pg.Pool;
  readonly secretKey: Buffer;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly openSession: SessionOpener;
  /** Name in pass records (host:pid). */
  readonly workerName: string;
  /** Jobs run at once by this process. */
  readonly concurrency: number;
  /** IMAP connections per side a pass asks for. */
  readonly passConnections: number;
  /** How often a pass waiting for endpoint slots tries again, in ms (default 250). */
  readonly slotPollMs?: number;
  /** How often a running pass checks its pause/stop switches, in ms (default 2000). */
  readonly controlPollMs?: number;
  /** How often an idle worker looks for jobs, in seconds (default 1). */
  readonly pollingIntervalSeconds?: number;
}

/** A running worker. */
export interface Worker {
  readonly name: string;
  /** Jobs running now. */
  running(): number;
  /**
   * Stops taking jobs, aborts running passes and waits (up to `timeoutMs`) until each has been handed
   * back to the queue. Safe to call twice. Does not stop pg-boss (the caller owns it).
   */
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts working every registered task queue. */
export async function startWorker(deps: WorkerDeps): Promise<Worker> {
  const log = deps.logger.child({ worker: deps.workerName });
  const slots = new EndpointSlots(deps.pool, log);
  const shutdown = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const runtime: TaskRuntime = {
    pool: deps.pool, secretKey: deps.secretKey, logger: log, clock: deps.clock, workerName: deps.workerName,
    slots, openSession: deps.openSession, passConnections: deps.passConnections,
    slotPollMs: deps.slotPollMs ?? 250, controlPollMs: deps.controlPollMs ?? 2000,
  };

  for (const task of Object.values(TASKS) as unknown as TaskDefinition[]) {
    await deps.boss.work<unknown>(task.name, {
      localConcurrency: deps.concurrency,
      batchSize: 1,
      pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 1,
      // NOTIFY wakes the worker when a job is created (boss.ts); a job that becomes ready later (a retry
      // after its delay, a start-after time) sends none, so polling keeps its pace instead of pg-boss's
      // relaxed 30 s backstop.
      notifyPollingIntervalSeconds: deps.pollingIntervalSeconds ?? 1,
      // Without it a loop waits out the polling interval after every job shorter than it, which caps a
      // worker at `concurrency` passes per second. With a backlog it fetches the next job at once.
      burstWhenReadyExceeds: 1,
    }, async ([job]) => {
      if (!job) return null;
      const jobLog = log.child({ task: task.name, job: job.id });
      if (shutdown.signal.aborted) throw new AppError('PASS_HANDED_BACK', 'the worker is stopping; job handed back');
      const parsed = task.data.safeParse(job.data);
      if (!parsed.success) {
        // Retrying cannot fix bad data: complete the job with the reason instead.
        jobLog.error({ issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'job data does not match the task schema; dropped');
        return { status: 'invalid', error: 'TASK_DATA_INVALID' };
      }
      const work = task.run(parsed.data, runtime, {
        jobId: job.id,
        attempt: job.retryCount,
        signal: AbortSignal.any([shutdown.signal, job.signal]),
        shuttingDown: () => shutdown.signal.aborted,
      });
      inFlight.add(work);
      try {
        return await work;
      } catch (thrown) {
        const err = toAppError(thrown);
        // pg-boss stores the thrown error as the job output: only the log-safe JSON form.
        if (err.code === 'PASS_HANDED_BACK') jobLog.info('job handed back to the queue');
        else jobLog.warn({ err: err.toJSON() }, 'job failed; the queue retries it');
        throw Object.assign(new Error(err.message), { code: err.code, details: err.details });
      } finally {
        inFlight.delete(work);
      }
    });
  }
  log.info({ concurrency: deps.concurrency, tasks: Object.keys(TASKS) }, 'worker started');

  let stopping: Promise<void> | undefined;
  return {
    name: deps.workerName,
    running: () => inFlight.size,
    stop(timeoutMs = 30_000) {
      stopping ??= (async () => {
        log.info({ running: inFlight.size }, 'worker stopping: no new jobs; running passes stop at the next batch boundary');
        const offWork = Promise.allSettled(Object.keys(TASKS).map((name) => deps.boss.offWork(name, { wait: true })));
        shutdown.abort();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const result = await Promise.race([offWork.then(() => 'done' as const), timeout]);
        clearTimeout(timer);
        if (result === 'timeout') log.warn({ running: inFlight.size }, 'passes did not stop in time; the queue hands them over when pg-boss stops');
        await slots.close();
        log.info('worker stopped');
      })();
      return stopping;
    },
  };
}
