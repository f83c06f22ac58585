/**
 * What a queued task is: a name, a zod schema of its data, how duplicates are recognised (the
 * singleton key), and a handler. Handlers get their dependencies from the worker (`TaskRuntime`)
 * and the job at hand (`TaskRun`); they return a small JSON result stored with the job, or throw to
 * hand the job back to the queue (pg-boss retries it, on this or another worker).
 */
import type pg from 'pg';
import type { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { SessionOpener } from '../engine/pass-types.ts';
import type { EndpointSlots } from '../store/endpoint-slots.ts';

/** What every handler of one worker process shares. */
export interface TaskRuntime {
  readonly pool: pg.Pool;
  /** Opens sealed secrets (core/secret-box.ts). */
  readonly secretKey: Buffer;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Name of this process in pass records. */
  readonly workerName: string;
  /** This process's endpoint connection slots. */
  readonly slots: EndpointSlots;
  /** Opens real IMAP sessions (wrapped per pass by the connection cap). */
  readonly openSession: SessionOpener;
  /** Connections per side a pass asks for. */
  readonly passConnections: number;
  /** How often a pass waiting for endpoint slots tries again, in ms. */
  readonly slotPollMs: number;
  /** How often a running pass looks at its pair's pause/stop switches, in ms. */
  readonly controlPollMs: number;
}

/** The job being run. */
export interface TaskRun {
  readonly jobId: string;
  /** 0 for the first attempt; counts hand-backs (shutdown, killed worker) and errors. */
  readonly attempt: number;
  /** Aborts on worker shutdown or when the job's claim was lost (heartbeat, expiry). */
  readonly signal: AbortSignal;
  /** True once the worker is shutting down (the reason for an abort). */
  shuttingDown(): boolean;
}

/** A handler's result, stored as the job's output (JSON, no secrets). */
export type TaskResult = Readonly<Record<string, string | number | boolean | null>> & { readonly status: string };

/** A task kind. */
export interface TaskDefinition<N extends string = string, S extends z.ZodType = z.ZodType> {
  readonly name: N;
  /** Schema of the job data; the queue validates before sending, the worker again before running. */
  readonly data: S;
  /** Jobs with the same key are not queued twice and never run at the same time (pg-boss `stately`). */
  singletonKey(data: z.output<S>): string;
  run(data: z.output<S>, runtime: TaskRuntime, run: TaskRun): Promise<TaskResult>;
}

/** Declares a task with its literal name type kept (for the typed registry). */
export function defineTask<const N extends string, S extends z.ZodType>(definition: TaskDefinition<N, S>): TaskDefinition<N, S> {
  return definition;
}
