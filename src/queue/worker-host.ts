/**
 * Everything a process needs to take part in the queue: pg-boss (the producer side, `TaskQueue`) and,
 * unless asked not to, a worker. `cutover serve` and `cutover worker` both build one; the difference
 * is only whether an API runs beside it.
 */
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { SessionOpener } from '../engine/pass-types.ts';
import { startBoss } from './boss.ts';
import { createTaskQueue, type TaskQueue } from './task-queue.ts';
import { startWorker, type Worker } from './worker.ts';

/** What `startWorkerHost` needs. */
export interface WorkerHostDeps {
  readonly config: Readonly<Config>;
  /** The URL the process connected to (the embedded server's for `serve` without DATABASE_URL). */
  readonly databaseUrl: string;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly openSession: SessionOpener;
  /** Start a worker (default true). */
  readonly work?: boolean;
}

/** The queue side of a process. */
export interface WorkerHost {
  readonly boss: PgBoss;
  readonly queue: TaskQueue;
  readonly worker: Worker | null;
  /** Graceful: no new jobs, running passes handed back (bounded by shutdownTimeoutSeconds), pg-boss stopped. */
  stop(): Promise<void>;
}

/** Starts pg-boss, its task queues and (by default) a worker. */
export async function startWorkerHost(deps: WorkerHostDeps): Promise<WorkerHost> {
  const { config } = deps;
  const boss = await startBoss({
    databaseUrl: deps.databaseUrl,
    logger: deps.logger,
    schema: config.queueSchema,
    heartbeatSeconds: config.jobHeartbeatSeconds,
    superviseSeconds: config.superviseSeconds,
    retryLimit: config.jobRetryLimit,
    expireSeconds: config.jobExpireSeconds,
    poolSize: Math.max(4, Math.min(10, config.workerConcurrency + 2)),
    applicationName: `cutover-queue ${config.workerName}`.slice(0, 63),
  });
  const worker = deps.work === false ? null : await startWorker({
    boss, pool: deps.pool, secretKey: config.secretKey, logger: deps.logger, clock: deps.clock,
    openSession: deps.openSession, workerName: config.workerName, concurrency: config.workerConcurrency,
    passConnections: config.passConnections, slotPollMs: config.slotPollMilliseconds,
  });
  let stopping: Promise<void> | undefined;
  return {
    boss,
    queue: createTaskQueue(boss),
    worker,
    stop() {
      stopping ??= (async () => {
        const timeoutMs = config.shutdownTimeoutSeconds * 1000;
        await worker?.stop(timeoutMs);
        // Fails (into retry) whatever is still active, so other workers take it at once.
        await boss.stop({ graceful: true, timeout: 2000 });
      })();
      return stopping;
    },
  };
}
