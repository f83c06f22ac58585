/**
 * `TaskQueue`: how the API, the CLI and pair actions put work on the queue, without knowing pg-boss.
 * Data is validated against the task's schema before it is sent; the task's singleton key makes a
 * second request for the same pair, while one is queued, a no-op (null instead of a job id).
 */
import type { PgBoss } from 'pg-boss';
import { parseTaskData, type TaskData, type TaskName } from './task-registry.ts';

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** Start no earlier than this many seconds from now. */
  readonly startAfterSeconds?: number;
  /** Higher runs first (default 0). */
  readonly priority?: number;
}

/** Puts tasks on the queue. Returns the job id, or null when an equal job is already queued. */
export interface TaskQueue {
  enqueue<N extends TaskName>(name: N, data: TaskData<N>, options?: EnqueueOptions): Promise<string | null>;
}

/** The TaskQueue on a started pg-boss. */
export function createTaskQueue(boss: PgBoss): TaskQueue {
  return {
    async enqueue(name, data, options = {}) {
      const { definition, data: valid } = parseTaskData(name, data);
      return boss.send(name, valid as object, {
        singletonKey: definition.singletonKey(valid),
        ...(options.startAfterSeconds !== undefined ? { startAfter: options.startAfterSeconds } : {}),
        ...(options.priority !== undefined ? { priority: options.priority } : {}),
      });
    },
  };
}
