/**
 * Pass rules of the reconciler, pure: initial full passes, rounds (resync, final, delta, sweep), which
 * pairs a round still has to ask for, when a round is complete, and alerts about failing pairs.
 *
 * Why rounds are recorded and pairs are not: a round's start is one event row; whether a pair still
 * needs its pass is read from the passes themselves (a pass of the round's kind started at or after
 * the round) and the pair's queue state. A crash between recording the round and queueing its passes
 * therefore loses nothing (the next tick queues the rest) and doubles nothing (queued, running and
 * covered pairs are skipped; the queue's singleton key covers the last gap).
 */
import type { PassKind } from '../core/ledger.ts';
import type { Action } from './actions.ts';
import type { OrchestratorSettings } from './orchestrator-settings.ts';
import type { PairSnapshot, ProjectSnapshot, RoundState } from './snapshot.ts';

/** Pairs that take part in rounds: not paused, not stopped by a person, not waiting for the go decision. */
export function activePairs(snapshot: ProjectSnapshot): PairSnapshot[] {
  return snapshot.pairs.filter((p) => !p.paused && p.state !== 'stopped' && p.state !== 'paused' && p.gated !== true);
}

/** True while the queue holds or runs a pass of the pair. */
export function isBusy(pair: PairSnapshot): boolean {
  return pair.state === 'queued' || pair.state === 'running';
}

/** True when the pair has a pass of `kind` that started at or after `since`. */
export function isCovered(pair: PairSnapshot, kind: PassKind, since: Date): boolean {
  const last = pair.lastPass[kind];
  return last !== undefined && last.startedAt.getTime() >= since.getTime();
}

/** The round with `key`, if started. */
export function findRound(snapshot: ProjectSnapshot, key: string): RoundState | undefined {
  return snapshot.passes.rounds.find((r) => r.key === key);
}

/** The latest started round of one of `kinds`. */
export function latestRound(snapshot: ProjectSnapshot, kinds: readonly PassKind[]): RoundState | undefined {
  let latest: RoundState | undefined;
  for (const r of snapshot.passes.rounds) {
    if (kinds.includes(r.kind) && (latest === undefined || r.startedAt.getTime() >= latest.startedAt.getTime())) latest = r;
  }
  return latest;
}

/** True when every active pair is covered by the round and none is queued or running. */
export function isRoundComplete(snapshot: ProjectSnapshot, round: RoundState): boolean {
  return activePairs(snapshot).every((p) => isCovered(p, round.kind, round.startedAt) && !isBusy(p) && p.lastPass[round.kind]?.status !== 'running');
}

/** The enqueue action for the pairs a started round still has to ask for (none when all are asked). */
export function continueRound(snapshot: ProjectSnapshot, round: RoundState): Action[] {
  const pending = activePairs(snapshot).filter((p) => !isBusy(p) && !isCovered(p, round.kind, round.startedAt));
  if (pending.length === 0) return [];
  return [{ type: 'enqueuePass', kind: round.kind, pairIds: pending.map((p) => p.id), round: round.key }];
}

/** Starts round `key` of `kind` now (record + enqueue every active pair), or continues it when started. */
export function runRound(snapshot: ProjectSnapshot, kind: PassKind, key: string): Action[] {
  const started = findRound(snapshot, key);
  if (started) return continueRound(snapshot, started);
  const ids = activePairs(snapshot).filter((p) => !isBusy(p)).map((p) => p.id);
  const out: Action[] = [{ type: 'startRound', kind, key }];
  if (ids.length > 0) out.push({ type: 'enqueuePass', kind, pairIds: ids, round: key });
  return out;
}

/** Full passes for pairs whose target account is ready and that never had one (DESIGN.md domain_setup). */
export function initialFullPasses(snapshot: ProjectSnapshot): Action[] {
  const ids = activePairs(snapshot)
    .filter((p) => p.targetReady && p.lastPass.full === undefined && !isBusy(p))
    .map((p) => p.id);
  return ids.length === 0 ? [] : [{ type: 'enqueuePass', kind: 'full', pairIds: ids, round: null }];
}

/** Alerts for pairs that fail repeatedly or have bad credentials; resolves them when the pair recovers. */
export function pairAlerts(snapshot: ProjectSnapshot, settings: OrchestratorSettings): Action[] {
  const out: Action[] = [];
  const open = new Set(snapshot.alerts.filter((a) => a.status !== 'resolved').map((a) => a.key));
  for (const pair of snapshot.pairs) {
    const failingKey = `pass_failing:${pair.id}`;
    const credentialsKey = `bad_credentials:${pair.id}`;
    const badCredentials = pair.lastErrorCode === 'IMAP_AUTH_FAILED' || pair.lastErrorCode === 'IMAP_AUTHZ_FAILED';
    if (badCredentials) {
      out.push({ type: 'raiseAlert', kind: 'bad_credentials', key: credentialsKey, message: `mailbox pair ${pair.id}: the server refused the credentials (${pair.lastErrorCode})`, details: { pairId: pair.id, code: pair.lastErrorCode } });
    } else if (pair.consecutiveFailures >= settings.passFailureAlertThreshold) {
      out.push({ type: 'raiseAlert', kind: 'pass_failing', key: failingKey, message: `mailbox pair ${pair.id}: ${pair.consecutiveFailures} passes in a row failed`, details: { pairId: pair.id, failures: pair.consecutiveFailures, code: pair.lastErrorCode } });
    }
    if (pair.consecutiveFailures === 0 && !badCredentials) {
      if (open.has(failingKey)) out.push({ type: 'resolveAlert', key: failingKey });
      if (open.has(credentialsKey)) out.push({ type: 'resolveAlert', key: credentialsKey });
    }
  }
  return out;
}
