/**
 * The actions `decide` returns and `applyActions` carries out. Each is data, and each can be applied
 * twice without a second effect: status changes compare-and-set on the old status, steps on their
 * attempt number, alerts, rounds, events and outbox rows have unique keys in the database.
 */
import type { PassKind } from '../core/ledger.ts';
import type { NotificationName } from './notifications/notification-names.ts';
import type { AlertKind, StepStatus } from './snapshot.ts';
import type { FlowStatus, ProjectStatus, StepName } from './status-table.ts';

/** Who a notification goes to: the partner contact, or every end user of the project. */
export type Audience = 'contact' | 'users';

/** Every action. */
export type Action =
  /** Leaves draft: records the placement time and the verification token. */
  | { readonly type: 'place'; readonly placedAt: Date; readonly verificationToken: string }
  | { readonly type: 'changeStatus'; readonly from: ProjectStatus; readonly to: ProjectStatus; readonly reason?: string }
  /** Puts the project on hold from `from`; `key` (when given) records that this hold was raised once. */
  | { readonly type: 'hold'; readonly from: FlowStatus; readonly reason: string; readonly key?: string }
  | { readonly type: 'resume'; readonly to: FlowStatus }
  | { readonly type: 'moveCutover'; readonly from: Date; readonly to: Date }
  /** Runs attempt `attempt` of a step (applies only when the stored attempts are `attempt − 1`). */
  | { readonly type: 'startStep'; readonly step: StepName; readonly attempt: number; readonly plannedFor: Date | null }
  /** Marks a tracked step (no activity) from what the reconciler sees. */
  | { readonly type: 'markStep'; readonly step: StepName; readonly status: StepStatus; readonly note?: string }
  /** Resets a failed step so it runs again (a person asked). */
  | { readonly type: 'retryStep'; readonly step: StepName }
  /** Records that a round started (its key is unique; its start time is the first one recorded). */
  | { readonly type: 'startRound'; readonly kind: PassKind; readonly key: string }
  | { readonly type: 'enqueuePass'; readonly kind: PassKind; readonly pairIds: readonly string[]; readonly round: string | null }
  | { readonly type: 'raiseAlert'; readonly kind: AlertKind; readonly key: string; readonly message: string; readonly details?: Readonly<Record<string, string | number | boolean | null>> }
  | { readonly type: 'resolveAlert'; readonly key: string }
  /** Queues a notification in the outbox; `key` makes it once per (project, key, recipient). */
  | { readonly type: 'sendNotification'; readonly notification: NotificationName; readonly audience: Audience; readonly key: string }
  /** Records a one-time event without another effect (e.g. a resync point skipped by a re-plan). */
  | { readonly type: 'recordEvent'; readonly key: string };

/** The type names of actions. */
export type ActionType = Action['type'];
