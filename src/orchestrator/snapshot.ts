/**
 * `ProjectSnapshot`: everything the reconciler's `decide` reads — the stored state of one project at
 * one moment. `load-snapshot.ts` builds it from the database; tests build it by hand.
 *
 * Glossary: a *round* is one pass kind requested for every active pair at one moment (the T−10d
 * resync, the final passes, the 3rd sweep); a pair is *covered* by a round when it has a pass of the
 * round's kind that started at or after the round; *active* pairs are those neither paused nor stopped.
 */
import type { PassKind } from '../core/ledger.ts';
import type { OrchestratorSettings } from './orchestrator-settings.ts';
import type { FlowStatus, ProjectStatus, StepName } from './status-table.ts';

/** The project row as the orchestrator sees it. */
export interface ProjectFlowState {
  readonly id: string;
  readonly name: string;
  readonly status: ProjectStatus;
  /** The status a hold interrupted (only while on_hold). */
  readonly heldFrom: FlowStatus | null;
  /** Why the project is on hold or cancelled. */
  readonly statusReason: string | null;
  readonly statusChangedAt: Date;
  /** When the project left draft; lead times are measured from here. */
  readonly placedAt: Date | null;
  readonly cutoverAt: Date | null;
  /** IANA zone of the cutover plan (calendar-day offsets are taken in it). */
  readonly timeZone: string;
  readonly domains: readonly string[];
  /** Pause switch of the whole project (issue 3): nothing is started while it is on. */
  readonly paused: boolean;
  /** The per-project token published as `cutover-verification=<token>`. */
  readonly verificationToken: string | null;
}

/** Where one step stands. */
export type StepStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed';

/** One step row. A missing row means `pending` with no attempt. */
export interface StepState {
  readonly name: StepName;
  readonly status: StepStatus;
  readonly attempts: number;
  /** When a waiting (poll) or failed (retry) step runs again. */
  readonly nextRunAt: Date | null;
  readonly startedAt: Date | null;
  /** The T the step last ran for: a step planned around T runs again when T moves. */
  readonly plannedFor: Date | null;
  readonly lastErrorCode: string | null;
  /** `user`: wait for a person (retryStep); otherwise retried automatically. */
  readonly lastErrorRetry: 'transient' | 'item' | 'user' | null;
}

/** Kinds of alert (DESIGN.md "alert"). */
export type AlertKind =
  | 'insufficient_licences'
  | 'domain_unverified'
  | 'mailbox_creation_failed'
  | 'mx_not_switched'
  | 'pass_failing'
  | 'bad_credentials'
  | 'readiness_failed'
  | 'step_failed'
  | 'contact_missing';

/** One alert of the project. */
export interface AlertState {
  readonly key: string;
  readonly kind: AlertKind;
  readonly status: 'open' | 'acknowledged' | 'resolved';
}

/** The last pass of one kind of one pair. */
export interface PairPassInfo {
  readonly startedAt: Date;
  readonly status: 'running' | 'completed' | 'completed_with_errors' | 'failed' | 'interrupted';
}

/** One mailbox pair as the orchestrator needs it. */
export interface PairSnapshot {
  readonly id: string;
  /** The queue's pair state (idle, queued, running, paused, stopped, failed, completed). */
  readonly state: string;
  readonly paused: boolean;
  /** The target account exists and the migration can log in (provider_accounts). */
  readonly targetReady: boolean;
  /** Failed passes in a row (0 after a pass that did not fail). */
  readonly consecutiveFailures: number;
  readonly lastErrorCode: string | null;
  /** The latest pass of each kind. */
  readonly lastPass: Partial<Readonly<Record<PassKind, PairPassInfo>>>;
  /** Outside the test batch while no go is recorded: no passes yet (runtime/go-decision.ts). */
  readonly gated?: boolean;
}

/** DNS results stored by the DNS activities. */
export interface DnsSnapshot {
  /** Per domain: whether the TXT record was found, and when that was last checked. */
  readonly txt: Readonly<Record<string, { readonly verified: boolean; readonly checkedAt: Date }>>;
  /** Per domain: does the MX point to the target, and the TTL seen. */
  readonly mx: Readonly<Record<string, { readonly pointsToTarget: boolean; readonly ttlSeconds: number | null; readonly checkedAt: Date }>>;
}

/** A round that was started (an orchestrator event of kind `round`). */
export interface RoundState {
  readonly key: string;
  readonly kind: PassKind;
  readonly startedAt: Date;
}

/** What the passes of the project show. */
export interface PassSnapshot {
  /** Every round started, oldest first. */
  readonly rounds: readonly RoundState[];
  /** Start of the latest pass at or after T that copied at least one item: mail still reached the source. */
  readonly lastNewMailAt: Date | null;
}

/** The reconciler's whole input (besides `now`). */
export interface ProjectSnapshot {
  readonly project: ProjectFlowState;
  readonly settings: OrchestratorSettings;
  readonly steps: readonly StepState[];
  readonly alerts: readonly AlertState[];
  readonly pairs: readonly PairSnapshot[];
  readonly dns: DnsSnapshot;
  readonly passes: PassSnapshot;
  /** Keys of one-time events already applied (notifications queued, holds raised, skipped rounds). */
  readonly events: ReadonlySet<string>;
}
