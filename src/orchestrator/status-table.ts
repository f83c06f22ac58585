/**
 * The project status flow (DESIGN.md "The project status flow") and the orchestration steps, as DATA.
 * The reconciler (decide.ts) reads these tables; nothing here does I/O. docs/status-flow.md explains
 * each row.
 */

/** The statuses a project moves through, in flow order. */
export const FLOW_STATUSES = [
  'draft',
  'provisioning',
  'domain_setup',
  'domain_verification',
  'creating_mailboxes',
  'waiting_for_cutover',
  'switching_mx',
  'migrating',
  'sweeping',
  'complete',
] as const;

/** A status of the main flow. */
export type FlowStatus = (typeof FLOW_STATUSES)[number];

/** Every project status: the flow plus the two that can be entered from anywhere. */
export type ProjectStatus = FlowStatus | 'on_hold' | 'cancelled';

/** Every status, flow order first. */
export const PROJECT_STATUSES: readonly ProjectStatus[] = [...FLOW_STATUSES, 'on_hold', 'cancelled'];

/** True when `value` names a project status. */
export function isProjectStatus(value: string): value is ProjectStatus {
  return (PROJECT_STATUSES as readonly string[]).includes(value);
}

/** True when `value` names a status of the main flow (not on_hold / cancelled). */
export function isFlowStatus(value: string): value is FlowStatus {
  return (FLOW_STATUSES as readonly string[]).includes(value);
}

/** The names of orchestration steps (DESIGN.md "step"). */
export const STEP_NAMES = [
  'verify_target_access',
  'setup_migration_access',
  'verify_domain',
  'create_mailboxes',
  'schedule_resyncs',
  'check_mx_ttl',
  'readiness_check',
  'switch_mx',
  'final_passes',
  'sweeps',
  'completion',
] as const;

/** One step name. */
export type StepName = (typeof STEP_NAMES)[number];

/** True when `value` names a step. */
export function isStepName(value: string): value is StepName {
  return (STEP_NAMES as readonly string[]).includes(value);
}

/**
 * How a step is run:
 * - `action`: an activity runs once per attempt and succeeds or fails (retried with backoff);
 * - `poll`: an activity checks a condition (DNS) and answers "not yet" until it holds; a poll step
 *   never fails by waiting, only by an error;
 * - `tracked`: no activity; the reconciler marks it from what it sees (passes, schedule).
 */
export type StepKind = 'action' | 'poll' | 'tracked';

/** The static description of one step. */
export interface StepSpec {
  readonly name: StepName;
  /** The status in which the step starts (it may keep running in later statuses, see `runsUntil`). */
  readonly status: FlowStatus;
  /** The last status in which a poll step is still re-checked (switch_mx keeps checking into `migrating`). */
  readonly runsUntil: FlowStatus;
  readonly kind: StepKind;
  /** Steps that must have succeeded first. */
  readonly dependsOn: readonly StepName[];
  /** Attempts before the step stays failed and an alert asks a person (0 = unlimited). */
  readonly maxAttempts: number;
  /** Shown in the portal. */
  readonly title: string;
}

/** Every step, in the order a project meets them. */
export const STEP_TABLE: readonly StepSpec[] = [
  { name: 'verify_target_access', status: 'provisioning', runsUntil: 'provisioning', kind: 'action', dependsOn: [], maxAttempts: 5, title: 'Verify target access, licences and quota' },
  { name: 'setup_migration_access', status: 'provisioning', runsUntil: 'provisioning', kind: 'action', dependsOn: ['verify_target_access'], maxAttempts: 5, title: 'Set up migration (admin/impersonation) access' },
  { name: 'verify_domain', status: 'domain_verification', runsUntil: 'domain_verification', kind: 'poll', dependsOn: ['setup_migration_access'], maxAttempts: 0, title: 'Verify domain ownership (TXT record)' },
  { name: 'create_mailboxes', status: 'creating_mailboxes', runsUntil: 'creating_mailboxes', kind: 'action', dependsOn: ['verify_domain'], maxAttempts: 3, title: 'Create target mailboxes' },
  { name: 'schedule_resyncs', status: 'waiting_for_cutover', runsUntil: 'waiting_for_cutover', kind: 'tracked', dependsOn: ['create_mailboxes'], maxAttempts: 0, title: 'Scheduled resync passes' },
  { name: 'check_mx_ttl', status: 'waiting_for_cutover', runsUntil: 'waiting_for_cutover', kind: 'action', dependsOn: ['create_mailboxes'], maxAttempts: 3, title: 'Check the MX record TTL' },
  { name: 'readiness_check', status: 'waiting_for_cutover', runsUntil: 'waiting_for_cutover', kind: 'action', dependsOn: ['create_mailboxes'], maxAttempts: 3, title: 'Readiness check (T−4h)' },
  { name: 'switch_mx', status: 'switching_mx', runsUntil: 'sweeping', kind: 'poll', dependsOn: [], maxAttempts: 0, title: 'Switch MX and detect the change' },
  { name: 'final_passes', status: 'migrating', runsUntil: 'migrating', kind: 'tracked', dependsOn: [], maxAttempts: 0, title: 'Final passes' },
  { name: 'sweeps', status: 'sweeping', runsUntil: 'sweeping', kind: 'tracked', dependsOn: ['final_passes'], maxAttempts: 0, title: 'Delta and sweep passes' },
  { name: 'completion', status: 'complete', runsUntil: 'complete', kind: 'action', dependsOn: [], maxAttempts: 5, title: 'Remove migration access, final report' },
];

/** The spec of `name`. */
export function stepSpec(name: StepName): StepSpec {
  const spec = STEP_TABLE.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown step ${name}`);
  return spec;
}

/** What moves a status on (DESIGN.md "moves on when"); the reconciler implements each condition. */
export type ExitCondition =
  | { readonly kind: 'command'; readonly command: 'place' }
  | { readonly kind: 'steps_succeeded'; readonly steps: readonly StepName[] }
  | { readonly kind: 'domain_setup_done' }
  | { readonly kind: 'cutover_reached' }
  | { readonly kind: 'mx_switched_or_window_passed' }
  | { readonly kind: 'final_passes_done' }
  | { readonly kind: 'completion_conditions' }
  | { readonly kind: 'none' };

/** One row of the status table. */
export interface StatusRow {
  readonly status: FlowStatus;
  /** The next status of the flow, or null for the last. */
  readonly next: FlowStatus | null;
  readonly exit: ExitCondition;
  /** Whether project settings may still be edited (see also the T−4h freeze in schedule.ts). */
  readonly settingsEditable: boolean;
  readonly summary: string;
}

/** The status table of DESIGN.md as data. */
export const STATUS_TABLE: readonly StatusRow[] = [
  { status: 'draft', next: 'provisioning', exit: { kind: 'command', command: 'place' }, settingsEditable: true, summary: 'settings editable; nothing runs' },
  { status: 'provisioning', next: 'domain_setup', exit: { kind: 'steps_succeeded', steps: ['verify_target_access', 'setup_migration_access'] }, settingsEditable: true, summary: 'verify target access, set up migration access, check licences/quota' },
  { status: 'domain_setup', next: 'domain_verification', exit: { kind: 'domain_setup_done' }, settingsEditable: true, summary: 'full passes for ready accounts; email the partner the TXT record' },
  { status: 'domain_verification', next: 'creating_mailboxes', exit: { kind: 'steps_succeeded', steps: ['verify_domain'] }, settingsEditable: true, summary: 're-check the TXT record; hold at T−48h when unverified' },
  { status: 'creating_mailboxes', next: 'waiting_for_cutover', exit: { kind: 'steps_succeeded', steps: ['create_mailboxes'] }, settingsEditable: true, summary: 'create target accounts; ≥25% failures fail the step' },
  { status: 'waiting_for_cutover', next: 'switching_mx', exit: { kind: 'cutover_reached' }, settingsEditable: true, summary: 'scheduled resyncs; readiness check at T−4h; settings frozen from T−4h' },
  { status: 'switching_mx', next: 'migrating', exit: { kind: 'mx_switched_or_window_passed' }, settingsEditable: false, summary: '10-minute MX window; email the DNS change; alert at T+15min' },
  { status: 'migrating', next: 'sweeping', exit: { kind: 'final_passes_done' }, settingsEditable: false, summary: 'email users; final passes' },
  { status: 'sweeping', next: 'complete', exit: { kind: 'completion_conditions' }, settingsEditable: false, summary: 'delta then sweep passes; watch the source for new mail' },
  { status: 'complete', next: null, exit: { kind: 'none' }, settingsEditable: false, summary: 'remove migration access; history read-only; final report' },
];

/** The row of a flow status. */
export function statusRow(status: FlowStatus): StatusRow {
  const row = STATUS_TABLE.find((r) => r.status === status);
  if (!row) throw new Error(`unknown status ${status}`);
  return row;
}

/** Position of a flow status (draft = 0). */
export function flowIndex(status: FlowStatus): number {
  return FLOW_STATUSES.indexOf(status);
}

/** True when the project is at or past `status` in the flow. */
export function isAtOrPast(current: FlowStatus, status: FlowStatus): boolean {
  return flowIndex(current) >= flowIndex(status);
}

/**
 * Whether `from → to` is a legal status change: the next status of the flow, on_hold / cancelled from
 * any status that is not terminal, and from on_hold back to the status it interrupted (`heldFrom`).
 */
export function isAllowedTransition(from: ProjectStatus, to: ProjectStatus, heldFrom: FlowStatus | null = null): boolean {
  if (from === 'cancelled' || from === 'complete') return false;
  if (to === 'cancelled') return true;
  if (to === 'on_hold') return from !== 'on_hold';
  if (from === 'on_hold') return heldFrom !== null && to === heldFrom;
  return statusRow(from).next === to;
}
