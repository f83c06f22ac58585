/**
 * Builds `ProjectSnapshot`s for unit tests of the reconciler: a placed project with sensible defaults,
 * and small helpers to add steps, pairs, rounds and events.
 */
import type { PassKind } from '../../core/ledger.ts';
import { ORCHESTRATOR_DEFAULTS, type OrchestratorSettings } from '../orchestrator-settings.ts';
import type { PairPassInfo, PairSnapshot, ProjectFlowState, ProjectSnapshot, StepState } from '../snapshot.ts';
import type { StepName } from '../status-table.ts';

/** Overrides of a snapshot (anything not given gets the fixture default). */
export interface SnapshotOverrides {
  readonly project?: Partial<ProjectFlowState>;
  readonly settings?: Partial<OrchestratorSettings>;
  readonly steps?: ReadonlyArray<Partial<StepState> & { name: StepName }>;
  readonly alerts?: ProjectSnapshot['alerts'];
  readonly pairs?: readonly PairSnapshot[];
  readonly dns?: Partial<ProjectSnapshot['dns']>;
  readonly passes?: Partial<ProjectSnapshot['passes']>;
  readonly events?: readonly string[];
}

/** A step row in `status` (attempts 1 unless given). */
export function step(name: StepName, status: StepState['status'], extra: Partial<StepState> = {}): Partial<StepState> & { name: StepName } {
  return { name, status, attempts: 1, ...extra };
}

/** A mailbox pair, idle and ready, with the given last passes. */
export function pair(id: string, extra: Partial<PairSnapshot> = {}, lastPass: Partial<Record<PassKind, PairPassInfo>> = {}): PairSnapshot {
  return { id, state: 'idle', paused: false, targetReady: true, consecutiveFailures: 0, lastErrorCode: null, lastPass, ...extra };
}

/** A finished pass that started at `at`. */
export function passAt(at: Date | string, status: PairPassInfo['status'] = 'completed'): PairPassInfo {
  return { startedAt: new Date(at), status };
}

/** A snapshot of project "p1": placed 2026-04-01T10:00Z, T = 2026-06-15T10:00Z (UTC), contact set, two pairs. */
export function snapshot(o: SnapshotOverrides = {}): ProjectSnapshot {
  const steps: StepState[] = (o.steps ?? []).map((s) => ({
    status: 'pending',
    attempts: 0,
    nextRunAt: null,
    startedAt: null,
    plannedFor: null,
    lastErrorCode: null,
    lastErrorRetry: null,
    ...s,
  }));
  return {
    project: {
      id: 'p1',
      name: 'ACME',
      status: 'provisioning',
      heldFrom: null,
      statusReason: null,
      statusChangedAt: new Date('2026-04-01T10:00:00Z'),
      placedAt: new Date('2026-04-01T10:00:00Z'),
      cutoverAt: new Date('2026-06-15T10:00:00Z'),
      timeZone: 'UTC',
      domains: ['acme.test'],
      paused: false,
      verificationToken: 'tok_0123456789abcdef',
      ...o.project,
    },
    settings: { ...ORCHESTRATOR_DEFAULTS, contactEmail: 'partner@msp.test', targetMxHosts: ['mx.target.test'], ...o.settings },
    steps,
    alerts: o.alerts ?? [],
    pairs: o.pairs ?? [pair('1'), pair('2')],
    dns: { txt: {}, mx: {}, ...o.dns },
    passes: { rounds: [], lastNewMailAt: null, ...o.passes },
    events: new Set(o.events ?? []),
  };
}
