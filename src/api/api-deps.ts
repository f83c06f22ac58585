/** What the API needs from the process that hosts it (`cutover serve`, tests). */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import type { DatabaseClock } from '../orchestrator/runtime/database-clock.ts';
import type { OrchestratorRuntime } from '../orchestrator/runtime/orchestrator-runtime.ts';

/** Dependencies of `buildApp`; nothing is read from the environment inside the API. */
export interface ApiDeps {
  readonly pool: pg.Pool;
  /** 32-byte key for sealing endpoint and pair passwords (core/secret-box.ts). */
  readonly secretKey: Buffer;
  readonly queue: TaskQueue;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Created as an admin when the users table is empty (first start). */
  readonly bootstrapAdmin?: { readonly email: string; readonly password: string };
  /** Login session lifetime in seconds (default 12 hours). */
  readonly sessionTtlSeconds?: number;
  /** The process's orchestrator (serve); when absent the cutover routes build one without a timer. */
  readonly orchestrator?: OrchestratorRuntime;
  /** Fake-clock mode only (docs/fake-clock.md): the clock the admin clock API moves. */
  readonly fakeClock?: DatabaseClock;
}
