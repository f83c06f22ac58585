/**
 * Table-driven tests of the reconciler: every status rule and its boundaries. Project: placed
 * 2026-04-01T10:00Z, T = 2026-06-15T10:00Z (UTC, 75 days lead: resyncs at T−20d, T−10d, T−42h).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from './decide.ts';
import type { RoundState } from './snapshot.ts';
import { describeActions } from './testing/describe-actions.ts';
import { pair, passAt, snapshot, step, type SnapshotOverrides } from './testing/snapshot-fixture.ts';

const T = '2026-06-15T10:00:00.000Z';
type StepRow = NonNullable<SnapshotOverrides['steps']>[number];
const mergeSteps = (base: StepRow[], extra: readonly StepRow[]): StepRow[] => [...extra, ...base.filter((b) => !extra.some((e) => e.name === b.name))];
const round = (kind: RoundState['kind'], label: string, at: string): RoundState => ({ kind, key: `${label}@${T}`, startedAt: new Date(at) });
const withFull = { full: passAt('2026-04-02T00:00:00Z') };
const donePairs = [pair('1', {}, withFull), pair('2', {}, withFull)];
const resyncRounds = [round('resync', 'resync:T-20d', '2026-05-26T10:00:00Z'), round('resync', 'resync:T-10d', '2026-06-05T10:00:00Z'), round('resync', 'resync:T-42h', '2026-06-13T16:00:00Z')];
const resyncedPairs = [1, 2].map((i) => pair(String(i), {}, { ...withFull, resync: passAt('2026-06-13T16:05:00Z') }));
const waiting = (extra: SnapshotOverrides = {}): SnapshotOverrides => ({
  pairs: resyncedPairs,
  passes: { rounds: resyncRounds, lastNewMailAt: null },
  events: [`notify:switch_coming@${T}`],
  ...extra,
  project: { status: 'waiting_for_cutover', ...extra.project },
  steps: mergeSteps([step('create_mailboxes', 'succeeded'), step('schedule_resyncs', 'running'), step('check_mx_ttl', 'succeeded', { plannedFor: new Date(T) })], extra.steps ?? []),
});
const finalRound = round('final', 'final', '2026-06-15T10:05:00Z');
const finalPairs = [1, 2].map((i) => pair(String(i), {}, { ...withFull, final: passAt('2026-06-15T10:06:00Z') }));
const sweepingBase = (extra: SnapshotOverrides): SnapshotOverrides => ({
  events: [`notify:switch_done@${T}`],
  ...extra,
  project: { status: 'sweeping', ...extra.project },
  steps: [step('switch_mx', 'succeeded', { plannedFor: new Date(T) }), step('final_passes', 'succeeded'), step('sweeps', 'running'), ...(extra.steps ?? [])],
});
const sweptPairs = (at: string, busy = false): ReturnType<typeof pair>[] =>
  [1, 2].map((i) => pair(String(i), busy && i === 1 ? { state: 'running' } : {}, { ...withFull, final: passAt('2026-06-15T10:06:00Z'), delta: passAt('2026-06-15T12:00:00Z'), sweep: passAt(at, busy && i === 1 ? 'running' : 'completed') }));

interface Case {
  readonly name: string;
  readonly state: SnapshotOverrides;
  readonly now: string;
  readonly expect: string[];
}

const cases: Case[] = [
  // --- statuses where nothing runs
  { name: 'draft: nothing runs', state: { project: { status: 'draft', placedAt: null } }, now: T, expect: [] },
  { name: 'on_hold: nothing advances', state: { project: { status: 'on_hold', heldFrom: 'domain_verification' } }, now: T, expect: [] },
  { name: 'cancelled: nothing', state: { project: { status: 'cancelled' } }, now: T, expect: [] },
  { name: 'paused project: nothing', state: { project: { paused: true } }, now: '2026-04-02T00:00:00Z', expect: [] },

  // --- provisioning
  { name: 'provisioning: verify target access first', state: {}, now: '2026-04-01T10:00:00Z', expect: ['startStep:verify_target_access#1'] },
  { name: 'provisioning: then set up migration access', state: { steps: [step('verify_target_access', 'succeeded')] }, now: '2026-04-01T10:01:00Z', expect: ['startStep:setup_migration_access#1'] },
  { name: 'provisioning → domain_setup when the setup steps succeeded', state: { steps: [step('verify_target_access', 'succeeded'), step('setup_migration_access', 'succeeded')] }, now: '2026-04-01T10:02:00Z', expect: ['changeStatus:provisioning>domain_setup'] },
  { name: 'provisioning: a running step is left alone', state: { steps: [step('verify_target_access', 'running', { startedAt: new Date('2026-04-01T10:00:00Z') })] }, now: '2026-04-01T10:14:59Z', expect: [] },
  { name: 'provisioning: a running step past its 15-minute lease starts again', state: { steps: [step('verify_target_access', 'running', { startedAt: new Date('2026-04-01T10:00:00Z') })] }, now: '2026-04-01T10:15:00Z', expect: ['startStep:verify_target_access#2'] },
  { name: 'provisioning: a transient failure waits for its retry time', state: { steps: [step('verify_target_access', 'failed', { nextRunAt: new Date('2026-04-01T10:05:00Z'), lastErrorRetry: 'transient' })] }, now: '2026-04-01T10:04:59Z', expect: [] },
  { name: 'provisioning: …and is retried then', state: { steps: [step('verify_target_access', 'failed', { nextRunAt: new Date('2026-04-01T10:05:00Z'), lastErrorRetry: 'transient' })] }, now: '2026-04-01T10:05:00Z', expect: ['startStep:verify_target_access#2'] },
  { name: 'provisioning: insufficient licences alert, no automatic retry', state: { steps: [step('verify_target_access', 'failed', { lastErrorCode: 'PROVIDER_INSUFFICIENT_LICENCES', lastErrorRetry: 'user' })] }, now: '2026-04-01T11:00:00Z', expect: ['raiseAlert:insufficient_licences'] },
  { name: 'provisioning: attempts used up → step_failed alert', state: { steps: [step('verify_target_access', 'failed', { attempts: 5, lastErrorCode: 'IMAP_CONNECT_FAILED', lastErrorRetry: 'transient' })] }, now: '2026-04-01T11:00:00Z', expect: ['raiseAlert:step_failed'] },
  { name: 'an alert already raised is not raised again', state: { steps: [step('verify_target_access', 'failed', { attempts: 5, lastErrorRetry: 'transient' })], alerts: [{ key: 'step_failed:verify_target_access#5', kind: 'step_failed', status: 'acknowledged' }] }, now: '2026-04-01T11:00:00Z', expect: [] },
  { name: 'no contact email → contact_missing alert', state: { settings: { contactEmail: null }, steps: [step('verify_target_access', 'running', { startedAt: new Date('2026-04-01T10:00:00Z') })] }, now: '2026-04-01T10:01:00Z', expect: ['raiseAlert:contact_missing'] },
  { name: 'contact set again → contact_missing resolved', state: { alerts: [{ key: 'contact_missing', kind: 'contact_missing', status: 'open' }], steps: [step('verify_target_access', 'running', { startedAt: new Date('2026-04-01T10:00:00Z') })] }, now: '2026-04-01T10:01:00Z', expect: ['resolveAlert:contact_missing'] },

  // --- domain_setup
  { name: 'domain_setup: full passes for ready pairs + TXT instructions to the contact', state: { project: { status: 'domain_setup' }, pairs: [pair('1'), pair('2', { targetReady: false }), pair('3', { state: 'queued' })] }, now: '2026-04-01T10:03:00Z', expect: ['enqueuePass:full[1]', 'notify:txt_instructions/contact'] },
  { name: 'domain_setup → domain_verification once the instructions are queued', state: { project: { status: 'domain_setup' }, pairs: donePairs, events: ['notify:txt_instructions'] }, now: '2026-04-01T10:04:00Z', expect: ['changeStatus:domain_setup>domain_verification'] },

  // --- domain_verification
  { name: 'domain_verification: check the TXT record', state: { project: { status: 'domain_verification' }, pairs: donePairs, steps: [step('setup_migration_access', 'succeeded')] }, now: '2026-04-02T00:00:00Z', expect: ['startStep:verify_domain#1'] },
  { name: 'domain_verification: not yet time to re-check', state: { project: { status: 'domain_verification' }, pairs: donePairs, steps: [step('setup_migration_access', 'succeeded'), step('verify_domain', 'waiting', { attempts: 3, nextRunAt: new Date('2026-04-02T00:15:00Z') })] }, now: '2026-04-02T00:14:59Z', expect: [] },
  { name: 'domain_verification: re-check when due', state: { project: { status: 'domain_verification' }, pairs: donePairs, steps: [step('setup_migration_access', 'succeeded'), step('verify_domain', 'waiting', { attempts: 3, nextRunAt: new Date('2026-04-02T00:15:00Z') })] }, now: '2026-04-02T00:15:00Z', expect: ['startStep:verify_domain#4'] },
  { name: 'domain_verification → creating_mailboxes when verified', state: { project: { status: 'domain_verification' }, pairs: donePairs, steps: [step('setup_migration_access', 'succeeded'), step('verify_domain', 'succeeded')] }, now: '2026-04-03T00:00:00Z', expect: ['changeStatus:domain_verification>creating_mailboxes'] },
  { name: 'domain_verification: unverified at T−48h − 1 ms: no hold yet', state: { project: { status: 'domain_verification' }, pairs: donePairs, steps: [step('setup_migration_access', 'succeeded'), step('verify_domain', 'waiting', { nextRunAt: new Date('2026-06-13T10:15:00Z') })] }, now: '2026-06-13T09:59:59.999Z', expect: [] },
  { name: 'domain_verification: unverified at exactly T−48h → alert + hold', state: { project: { status: 'domain_verification' }, pairs: donePairs, steps: [step('setup_migration_access', 'succeeded'), step('verify_domain', 'waiting', { nextRunAt: new Date('2026-06-13T10:15:00Z') })] }, now: '2026-06-13T10:00:00Z', expect: ['raiseAlert:domain_unverified', 'hold:domain_verification'] },
  { name: 'domain_verification: resumed by a person after the hold → not held again for this T', state: { project: { status: 'domain_verification' }, pairs: donePairs, events: [`hold:domain_unverified@${T}`], alerts: [{ key: `hold:domain_unverified@${T}`, kind: 'domain_unverified', status: 'acknowledged' }], steps: [step('setup_migration_access', 'succeeded'), step('verify_domain', 'waiting', { nextRunAt: new Date('2026-06-13T12:00:00Z') })] }, now: '2026-06-13T11:00:00Z', expect: [] },

  // --- creating_mailboxes
  { name: 'creating_mailboxes: create the target accounts', state: { project: { status: 'creating_mailboxes' }, pairs: donePairs, steps: [step('verify_domain', 'succeeded')] }, now: '2026-04-03T00:00:00Z', expect: ['startStep:create_mailboxes#1'] },
  { name: 'creating_mailboxes: ≥25% failed → alert, waits for a person', state: { project: { status: 'creating_mailboxes' }, pairs: donePairs, steps: [step('verify_domain', 'succeeded'), step('create_mailboxes', 'failed', { lastErrorCode: 'MAILBOX_CREATION_FAILED', lastErrorRetry: 'user' })] }, now: '2026-04-03T00:10:00Z', expect: ['raiseAlert:mailbox_creation_failed'] },
  { name: 'creating_mailboxes → waiting_for_cutover', state: { project: { status: 'creating_mailboxes' }, pairs: donePairs, steps: [step('verify_domain', 'succeeded'), step('create_mailboxes', 'succeeded')] }, now: '2026-04-03T00:10:00Z', expect: ['changeStatus:creating_mailboxes>waiting_for_cutover'] },

  // --- waiting_for_cutover: resyncs, TTL advice, user notice, readiness, T
  { name: 'waiting: tracked step shown running on entry', state: { project: { status: 'waiting_for_cutover' }, pairs: donePairs, steps: [step('create_mailboxes', 'succeeded')] }, now: '2026-04-04T00:00:00Z', expect: ['markStep:schedule_resyncs=running'] },
  { name: 'waiting: T−20d − 1 minute: nothing', state: waiting({ pairs: donePairs, passes: { rounds: [], lastNewMailAt: null } }), now: '2026-05-26T09:59:00Z', expect: [] },
  { name: 'waiting: at T−20d the first resync round', state: waiting({ pairs: donePairs, passes: { rounds: [], lastNewMailAt: null } }), now: '2026-05-26T10:00:00Z', expect: ['startRound:resync:T-20d', 'enqueuePass:resync[1,2]'] },
  { name: 'waiting: a started round asks only for pairs not yet queued or covered (crash recovery)', state: waiting({ pairs: [pair('1', { state: 'queued' }, withFull), pair('2', {}, withFull)], passes: { rounds: [resyncRounds[0] as RoundState], lastNewMailAt: null } }), now: '2026-05-26T10:01:00Z', expect: ['enqueuePass:resync[2]'] },
  { name: 'waiting: at T−10d the second round', state: waiting({ pairs: [1, 2].map((i) => pair(String(i), {}, { ...withFull, resync: passAt('2026-05-26T10:01:00Z') })), passes: { rounds: [resyncRounds[0] as RoundState], lastNewMailAt: null } }), now: '2026-06-05T10:00:00Z', expect: ['startRound:resync:T-10d', 'enqueuePass:resync[1,2]'] },
  { name: 'waiting: at T−42h the third round', state: waiting({ pairs: [1, 2].map((i) => pair(String(i), {}, { ...withFull, resync: passAt('2026-06-05T10:01:00Z') })), passes: { rounds: resyncRounds.slice(0, 2), lastNewMailAt: null }, events: [] }), now: '2026-06-13T16:00:00Z', expect: ['startRound:resync:T-42h', 'enqueuePass:resync[1,2]'] },
  { name: 'waiting: 10 days lead → only the T−42h round, nothing at T−10d', state: waiting({ project: { placedAt: new Date('2026-06-05T10:00:00Z') }, pairs: donePairs, passes: { rounds: [], lastNewMailAt: null } }), now: '2026-06-05T10:00:00Z', expect: [] },
  { name: 'waiting: T−3d − 1 s: the MX TTL is not read yet', state: waiting({ steps: [step('check_mx_ttl', 'pending', { attempts: 0 })], events: [] }), now: '2026-06-12T09:59:59Z', expect: [] },
  { name: 'waiting: at T−3d read the MX TTL', state: waiting({ steps: [step('check_mx_ttl', 'pending', { attempts: 0 })], events: [] }), now: '2026-06-12T10:00:00Z', expect: ['startStep:check_mx_ttl#1'] },
  { name: 'waiting: T moved later → the TTL check of the old T runs again at the new T−3d', state: waiting({ project: { cutoverAt: new Date('2026-06-22T10:00:00Z') }, steps: [step('check_mx_ttl', 'succeeded', { plannedFor: new Date(T) })], events: [] }), now: '2026-06-19T10:00:00Z', expect: ['startStep:check_mx_ttl#2'] },
  { name: 'waiting: T moved later → the readiness check of the old T runs again at the new T−4h', state: waiting({ project: { cutoverAt: new Date('2026-06-22T10:00:00Z') }, pairs: [1, 2].map((i) => pair(String(i), {}, { ...withFull, resync: passAt('2026-06-20T16:05:00Z') })), passes: { rounds: [...resyncRounds, { kind: 'resync', key: 'resync:T-42h@2026-06-22T10:00:00.000Z', startedAt: new Date('2026-06-20T16:00:00Z') }], lastNewMailAt: null }, steps: [step('check_mx_ttl', 'succeeded', { plannedFor: new Date('2026-06-22T10:00:00Z') }), step('readiness_check', 'succeeded', { plannedFor: new Date(T) })], events: ['notify:switch_coming@2026-06-22T10:00:00.000Z'] }), now: '2026-06-22T06:00:00Z', expect: ['startStep:readiness_check#2'] },
  { name: 'waiting: T moved earlier → one catch-up resync for the latest missed point', state: waiting({ project: { cutoverAt: new Date('2026-06-07T10:00:00Z') }, pairs: [1, 2].map((i) => pair(String(i), {}, { ...withFull, resync: passAt('2026-05-26T10:05:00Z') })), passes: { rounds: [resyncRounds[0] as RoundState], lastNewMailAt: null }, steps: [step('check_mx_ttl', 'pending', { attempts: 0 })], events: [] }), now: '2026-05-30T00:00:00Z', expect: ['startRound:resync:T-10d', 'enqueuePass:resync[1,2]'] },
  { name: 'waiting: TTL above 300 s → advise the contact', state: waiting({ dns: { mx: { 'acme.test': { pointsToTarget: false, ttlSeconds: 3600, checkedAt: new Date('2026-06-12T10:00:00Z') } } }, events: [] }), now: '2026-06-12T11:00:00Z', expect: ['notify:ttl_advice/contact'] },
  { name: 'waiting: TTL at 300 s → no advice', state: waiting({ dns: { mx: { 'acme.test': { pointsToTarget: false, ttlSeconds: 300, checkedAt: new Date('2026-06-12T10:00:00Z') } } }, events: [] }), now: '2026-06-12T11:00:00Z', expect: [] },
  { name: 'waiting: at T−24h tell the users the switch is coming', state: waiting({ events: [] }), now: '2026-06-14T10:00:00Z', expect: ['notify:switch_coming/users'] },
  { name: 'waiting: T−4h − 1 ms: no readiness check yet', state: waiting(), now: '2026-06-15T05:59:59.999Z', expect: [] },
  { name: 'waiting: at T−4h the readiness check', state: waiting(), now: '2026-06-15T06:00:00Z', expect: ['startStep:readiness_check#1'] },
  { name: 'waiting: readiness problems → alert + email the contact', state: waiting({ steps: [step('readiness_check', 'failed', { plannedFor: new Date(T), lastErrorCode: 'READINESS_FAILED', lastErrorRetry: 'user' })] }), now: '2026-06-15T06:05:00Z', expect: ['raiseAlert:readiness_failed', 'notify:readiness_problems/contact'] },
  { name: 'waiting → switching_mx at T', state: waiting({ steps: [step('readiness_check', 'succeeded', { plannedFor: new Date(T) })] }), now: T, expect: ['markStep:schedule_resyncs=succeeded', 'changeStatus:waiting_for_cutover>switching_mx'] },

  // --- switching_mx
  { name: 'switching_mx: check the MX, email the DNS change', state: { project: { status: 'switching_mx' }, pairs: resyncedPairs }, now: T, expect: ['startStep:switch_mx#1', 'notify:dns_change/contact'] },
  { name: 'switching_mx → migrating when the MX points to the target', state: { project: { status: 'switching_mx' }, pairs: resyncedPairs, events: [`notify:dns_change@${T}`], steps: [step('switch_mx', 'succeeded', { plannedFor: new Date(T) })] }, now: '2026-06-15T10:03:00Z', expect: ['changeStatus:switching_mx>migrating'] },
  { name: 'switching_mx: within the 10-minute window, keep checking', state: { project: { status: 'switching_mx' }, pairs: resyncedPairs, events: [`notify:dns_change@${T}`], steps: [step('switch_mx', 'waiting', { nextRunAt: new Date('2026-06-15T10:09:00Z') })] }, now: '2026-06-15T10:09:59Z', expect: ['startStep:switch_mx#2'] },
  { name: 'switching_mx → migrating when the window passed (MX not moved)', state: { project: { status: 'switching_mx' }, pairs: resyncedPairs, events: [`notify:dns_change@${T}`], steps: [step('switch_mx', 'waiting', { nextRunAt: new Date('2026-06-15T10:11:00Z') })] }, now: '2026-06-15T10:10:00Z', expect: ['changeStatus:switching_mx>migrating'] },

  // --- migrating
  { name: 'migrating: users told, final passes for every pair', state: { project: { status: 'migrating' }, pairs: resyncedPairs, steps: [step('switch_mx', 'succeeded', { plannedFor: new Date(T) })] }, now: '2026-06-15T10:05:00Z', expect: ['markStep:final_passes=running', 'notify:switch_done/users', 'startRound:final', 'enqueuePass:final[1,2]'] },
  { name: 'migrating: MX not moved at T+15min − 1 ms: no alert', state: { project: { status: 'migrating' }, pairs: resyncedPairs, events: [`notify:switch_done@${T}`], passes: { rounds: [finalRound], lastNewMailAt: null }, steps: [step('final_passes', 'running'), step('switch_mx', 'waiting', { nextRunAt: new Date('2026-06-15T10:16:00Z') })] }, now: '2026-06-15T10:14:59.999Z', expect: ['enqueuePass:final[1,2]'] },
  { name: 'migrating: MX not moved at T+15min → alert', state: { project: { status: 'migrating' }, pairs: finalPairs.map((p) => ({ ...p, state: 'running' })), events: [`notify:switch_done@${T}`], passes: { rounds: [finalRound], lastNewMailAt: null }, steps: [step('final_passes', 'running'), step('switch_mx', 'waiting', { nextRunAt: new Date('2026-06-15T10:16:00Z') })] }, now: '2026-06-15T10:15:00Z', expect: ['raiseAlert:mx_not_switched'] },
  { name: 'migrating: MX switched later → the alert is resolved', state: { project: { status: 'migrating' }, pairs: finalPairs.map((p) => ({ ...p, state: 'running' })), events: [`notify:switch_done@${T}`], alerts: [{ key: `mx_not_switched@${T}`, kind: 'mx_not_switched', status: 'open' }], passes: { rounds: [finalRound], lastNewMailAt: null }, steps: [step('final_passes', 'running'), step('switch_mx', 'succeeded')] }, now: '2026-06-15T10:20:00Z', expect: ['resolveAlert:mx_not_switched'] },
  { name: 'migrating → sweeping when every final pass is done', state: { project: { status: 'migrating' }, pairs: finalPairs, events: [`notify:switch_done@${T}`], passes: { rounds: [finalRound], lastNewMailAt: null }, steps: [step('final_passes', 'running'), step('switch_mx', 'succeeded')] }, now: '2026-06-15T11:00:00Z', expect: ['markStep:final_passes=succeeded', 'changeStatus:migrating>sweeping'] },

  // --- sweeping
  { name: 'sweeping: a delta round first', state: sweepingBase({ pairs: finalPairs, passes: { rounds: [finalRound], lastNewMailAt: null } }), now: '2026-06-15T12:00:00Z', expect: ['startRound:delta', 'enqueuePass:delta[1,2]'] },
  { name: 'sweeping: next sweep not before the interval', state: sweepingBase({ pairs: sweptPairs('2026-06-15T12:00:00Z'), passes: { rounds: [finalRound, round('delta', 'delta', '2026-06-15T12:00:00Z')], lastNewMailAt: null } }), now: '2026-06-15T23:59:59Z', expect: [] },
  { name: 'sweeping: a sweep round every 12 h', state: sweepingBase({ pairs: sweptPairs('2026-06-15T12:00:00Z'), passes: { rounds: [finalRound, round('delta', 'delta', '2026-06-15T12:00:00Z')], lastNewMailAt: null } }), now: '2026-06-16T00:00:00Z', expect: ['startRound:sweep:1', 'enqueuePass:sweep[1,2]'] },
  { name: 'sweeping: at T+5d a round that started before T+5d is not enough: one more sweep', state: sweepingBase({ pairs: sweptPairs('2026-06-20T00:00:00Z'), passes: { rounds: [finalRound, round('delta', 'delta', '2026-06-15T12:00:00Z'), round('sweep', 'sweep:9', '2026-06-20T00:00:00Z')], lastNewMailAt: new Date('2026-06-15T10:05:00Z') } }), now: '2026-06-20T10:00:00Z', expect: ['startRound:sweep:2', 'enqueuePass:sweep[1,2]'] },
  { name: 'sweeping → complete at T+5d: quiet for 48 h, nothing running', state: sweepingBase({ pairs: sweptPairs('2026-06-20T10:00:00Z'), passes: { rounds: [finalRound, round('delta', 'delta', '2026-06-15T12:00:00Z'), round('sweep', 'sweep:9', '2026-06-20T10:00:00Z')], lastNewMailAt: new Date('2026-06-18T10:00:00Z') } }), now: '2026-06-20T10:30:00Z', expect: ['notify:all_passes_done/contact', 'markStep:sweeps=succeeded', 'changeStatus:sweeping>complete'] },
  { name: 'sweeping: new mail 47 h before the last round → not quiet, keep sweeping', state: sweepingBase({ pairs: sweptPairs('2026-06-20T10:00:00Z'), passes: { rounds: [finalRound, round('delta', 'delta', '2026-06-15T12:00:00Z'), round('sweep', 'sweep:9', '2026-06-20T10:00:00Z')], lastNewMailAt: new Date('2026-06-18T11:00:00Z') } }), now: '2026-06-20T22:00:00Z', expect: ['startRound:sweep:2', 'enqueuePass:sweep[1,2]'] },
  { name: 'sweeping: a pass still running → no completion', state: sweepingBase({ pairs: sweptPairs('2026-06-20T10:00:00Z', true), passes: { rounds: [finalRound, round('delta', 'delta', '2026-06-15T12:00:00Z'), round('sweep', 'sweep:9', '2026-06-20T10:00:00Z')], lastNewMailAt: null } }), now: '2026-06-21T10:00:00Z', expect: [] },

  // --- complete
  { name: 'complete: remove migration access, final report', state: { project: { status: 'complete' }, pairs: finalPairs }, now: '2026-06-21T00:00:00Z', expect: ['startStep:completion#1'] },
  { name: 'complete: tell the contact when done', state: { project: { status: 'complete' }, pairs: finalPairs, steps: [step('completion', 'succeeded', { plannedFor: new Date(T) })] }, now: '2026-06-21T00:10:00Z', expect: ['notify:completion/contact'] },

  // --- pair alerts
  { name: 'pairs: 3 failed passes in a row → pass_failing; bad credentials → bad_credentials', state: { project: { status: 'domain_verification' }, steps: [step('setup_migration_access', 'succeeded'), step('verify_domain', 'running', { startedAt: new Date('2026-04-02T00:00:00Z') })], pairs: [pair('1', { consecutiveFailures: 3 }, withFull), pair('2', { consecutiveFailures: 1, lastErrorCode: 'IMAP_AUTH_FAILED' }, withFull)] }, now: '2026-04-02T00:01:00Z', expect: ['raiseAlert:pass_failing', 'raiseAlert:bad_credentials'] },
  { name: 'pairs: recovered → alerts resolved', state: { project: { status: 'domain_verification' }, steps: [step('setup_migration_access', 'succeeded'), step('verify_domain', 'running', { startedAt: new Date('2026-04-02T00:00:00Z') })], pairs: donePairs, alerts: [{ key: 'pass_failing:1', kind: 'pass_failing', status: 'open' }, { key: 'bad_credentials:2', kind: 'bad_credentials', status: 'acknowledged' }] }, now: '2026-04-02T00:01:00Z', expect: ['resolveAlert:pass_failing:1', 'resolveAlert:bad_credentials:2'] },
];

for (const c of cases) {
  test(`decide: ${c.name}`, () => {
    assert.deepEqual(describeActions(decide(snapshot(c.state), new Date(c.now))), c.expect);
  });
}

test('decide is pure: same input, same output, input untouched', () => {
  const s = snapshot({ project: { status: 'domain_setup' } });
  const before = JSON.stringify({ ...s, events: [...s.events] });
  const a = decide(s, new Date('2026-04-01T10:03:00Z'));
  const b = decide(s, new Date('2026-04-01T10:03:00Z'));
  assert.deepEqual(a, b);
  assert.equal(JSON.stringify({ ...s, events: [...s.events] }), before);
});
