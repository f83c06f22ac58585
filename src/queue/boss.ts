/**
 * pg-boss, the distributed queue (DESIGN.md: "the queue is the distributed engine; there is no
 * home-made scheduler or lock service"). It lives in its own schema (`pgboss` by default) of the same
 * PostgreSQL database as Cutover's tables, with its own small connection pool.
 *
 * Choices (docs/scaling-out.md explains them for operators):
 * - every task queue has the `stately` policy with the pair as singleton key: at most one queued and
 *   one active job per pair, so a second request while one is queued is not queued twice;
 * - `heartbeatSeconds`: a running job is touched every heartbeat/2 s; a worker killed with SIGKILL
 *   stops touching, and the supervisor of any live process fails the job into `retry` once the
 *   heartbeat is this stale, so another worker resumes the pass within about heartbeat + supervise s;
 * - `retryLimit` counts hand-backs (SIGTERM, killed worker), not mailbox errors: a pass that fails on
 *   the mailbox is completed with its outcome, never retried by the queue;
 * - `expireInSeconds` (at most 24 h): a pass running longer is handed to another worker, where it
 *   resumes from the ledger.
 */
import { PgBoss, type Queue } from 'pg-boss';
import { AppError } from '../core/app-error.ts';
import type { Logger } from '../core/logger.ts';
import { TASKS } from './task-registry.ts';

/** Queue settings from the configuration. */
export interface QueueSettings {
  /** PostgreSQL schema of pg-boss. */
  readonly schema: string;
  readonly heartbeatSeconds: number;
  /** How often this process supervises (heartbeats, expiry) and refreshes its queue cache. */
  readonly superviseSeconds: number;
  readonly retryLimit: number;
  readonly expireSeconds: number;
}

/** Options of `startBoss`. */
export interface StartBossOptions extends QueueSettings {
  /** postgres:// URL of the database (the embedded server's URL for `serve` without DATABASE_URL). */
  readonly databaseUrl: string;
  readonly logger: Logger;
  /** Connections of pg-boss's own pool (default 4). */
  readonly poolSize?: number;
  readonly applicationName?: string;
}

/** The options every task queue is created (and updated) with. */
export function taskQueueOptions(settings: QueueSettings): Omit<Queue, 'name'> {
  return {
    policy: 'stately',
    heartbeatSeconds: settings.heartbeatSeconds,
    retryLimit: settings.retryLimit,
    // A handed-back pass should be picked up at once; errors (a pair lock still held) back off.
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    expireInSeconds: settings.expireSeconds,
    // Finished jobs are history the pass records already keep; two days is plenty for debugging.
    deleteAfterSeconds: 2 * 86_400,
    // A new job wakes the workers at once (PostgreSQL NOTIFY) instead of at their next poll (1 s).
    notify: true,
  };
}

/** Starts pg-boss (installing or upgrading its schema) and creates or updates every task queue. */
export async function startBoss(options: StartBossOptions): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: options.schema,
    max: options.poolSize ?? 4,
    application_name: options.applicationName ?? 'cutover-queue',
    superviseIntervalSeconds: options.superviseSeconds,
    monitorIntervalSeconds: options.superviseSeconds,
    // Stately fetches skip pairs with an active job only once the queue cache knows them.
    queueCacheIntervalSeconds: Math.max(1, Math.min(options.superviseSeconds, 10)),
    schedule: false,
    // LISTEN for new jobs on one extra connection; polling stays as the floor (and is all there is
    // behind a transaction-pooling PgBouncer, where pg-boss warns and carries on).
    useListenNotify: true,
  });
  boss.on('error', (err: unknown) => options.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'queue error'));
  boss.on('warning', (warning: { message: string }) => options.logger.warn({ warning: warning.message }, 'queue warning'));
  try {
    await boss.start();
    const settings = taskQueueOptions(options);
    for (const task of Object.values(TASKS)) {
      await boss.createQueue(task.name, settings);
      // createQueue keeps an existing queue as it was: apply the current settings (not the policy).
      const { policy: _policy, ...updatable } = settings;
      await boss.updateQueue(task.name, updatable);
    }
  } catch (err) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    throw new AppError('QUEUE_UNAVAILABLE', `the job queue could not start: ${(err as Error).message}`, { cause: err });
  }
  return boss;
}
