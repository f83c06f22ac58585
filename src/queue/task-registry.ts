/**
 * The typed task registry: task name → zod data schema → handler. Enqueuing (task-queue.ts) and
 * running (worker.ts) both look tasks up here, so a name or a data shape that does not exist cannot
 * be queued, and a job whose data no longer matches is refused before it runs.
 */
import type { z } from 'zod';
import { AppError } from '../core/app-error.ts';
import type { TaskDefinition } from './task-definition.ts';
import { syncPairTask } from './tasks/sync-pair.task.ts';

/** Every task kind, by name. */
export const TASKS = {
  [syncPairTask.name]: syncPairTask,
} as const;

/** Names of the registered tasks. */
export type TaskName = keyof typeof TASKS;

/** The data a task takes (what callers pass to `enqueue`). */
export type TaskData<N extends TaskName> = z.input<(typeof TASKS)[N]['data']>;

/** The registered task of this name, or TASK_DATA_INVALID. */
export function taskDefinition(name: string): TaskDefinition {
  if (!Object.hasOwn(TASKS, name)) throw new AppError('TASK_DATA_INVALID', `no task is named "${name}"`, { details: { task: name } });
  return TASKS[name as TaskName];
}

/** Validates `data` for task `name`; TASK_DATA_INVALID lists every problem. */
export function parseTaskData(name: string, data: unknown): { definition: TaskDefinition; data: unknown } {
  const definition = taskDefinition(name);
  const parsed = definition.data.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
    throw new AppError('TASK_DATA_INVALID', `invalid data for task "${name}": ${problems}`, { details: { task: name, problems } });
  }
  return { definition, data: parsed.data };
}
