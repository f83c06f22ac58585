/**
 * A real pg-boss queue and worker inside the test process, for tests that drive pair and project
 * actions end to end without starting `cutover serve` (short heartbeats so a test never waits long).
 */
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { openImapSession } from '../../src/connectors/imap/imap-session.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { PairActionContext } from '../../src/projects/pair-actions.ts';
import { startBoss } from '../../src/queue/boss.ts';
import { createTaskQueue } from '../../src/queue/task-queue.ts';
import { startWorker, type Worker } from '../../src/queue/worker.ts';

export interface InProcessWorker {
  readonly boss: PgBoss;
  readonly worker: Worker;
  /** What pair actions take: the pool and a queue on this boss. */
  readonly ctx: PairActionContext;
  stop(): Promise<void>;
}

/** Starts pg-boss and one worker on `databaseUrl`. `controlPollMs`: how often passes look for pause/stop. */
export async function startInProcessWorker(options: {
  databaseUrl: string; pool: pg.Pool; secretKey: Buffer; concurrency: number; controlPollMs: number;
}): Promise<InProcessWorker> {
  const boss = await startBoss({ databaseUrl: options.databaseUrl, logger: silentLogger(), schema: 'pgboss', heartbeatSeconds: 10, superviseSeconds: 2, retryLimit: 5, expireSeconds: 3600 });
  const worker = await startWorker({
    boss, pool: options.pool, secretKey: options.secretKey, logger: silentLogger(), clock: systemClock, workerName: 'in-process',
    concurrency: options.concurrency, passConnections: 1, controlPollMs: options.controlPollMs, pollingIntervalSeconds: 0.5,
    openSession: (endpoint, name) => openImapSession(endpoint, { connectionName: name }),
  });
  return {
    boss, worker, ctx: { db: options.pool, queue: createTaskQueue(boss) },
    async stop() {
      await worker.stop(5000);
      await boss.stop({ graceful: false });
    },
  };
}
