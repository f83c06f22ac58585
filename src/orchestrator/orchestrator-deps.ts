/**
 * The interfaces through which applied actions reach the rest of Cutover. The orchestrator never calls
 * the queue, SMTP, DNS or a provider directly: the process that runs it (serve / worker) wires these.
 */
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import type { PassKind } from '../core/ledger.ts';
import type { StoreLogger } from '../store/db.ts';
import type { Audience } from './actions.ts';
import type { NotificationName } from './notifications/notification-names.ts';
import type { StepName } from './status-table.ts';

/** Queues passes (implemented over the queue's `requestPass`, see pass-scheduler-adapter.ts). */
export interface PassScheduler {
  /** Asks for a pass of `kind` for each pair; pairs with one queued already are left as they are. */
  enqueuePass(projectId: string, pairIds: readonly string[], kind: PassKind): Promise<void>;
}

/**
 * Runs one claimed step attempt. The runner must report the outcome with `finishStepAttempt`
 * (run-step.ts does); it may run inline or hand the attempt to a queue task.
 */
export interface StepRunner {
  runStep(projectId: string, step: StepName, attempt: number): Promise<void>;
}

/** Puts a notification into the outbox for its recipients and records its event (queue-notification.ts). */
export interface NotificationQueue {
  queue(projectId: string, notification: NotificationName, audience: Audience, key: string): Promise<void>;
}

/** What `applyActions` needs. */
export interface ApplyDeps {
  readonly db: pg.Pool;
  readonly clock: Clock;
  readonly passes: PassScheduler;
  readonly steps: StepRunner;
  readonly notifications: NotificationQueue;
  readonly logger?: StoreLogger;
}
