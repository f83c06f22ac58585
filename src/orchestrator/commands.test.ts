import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSettingsEditable, cancelProject, holdProject, moveCutover, placeProject, resumeProject, retryStep } from './commands.ts';
import { describeActions } from './testing/describe-actions.ts';
import { snapshot, step } from './testing/snapshot-fixture.ts';

const now = new Date('2026-04-01T10:00:00Z');
const token = 'tok_0123456789abcdef';

test('place: a draft with T in the future and a domain', () => {
  const s = snapshot({ project: { status: 'draft', placedAt: null } });
  assert.deepEqual(describeActions(placeProject(s, now, token)), ['place', 'changeStatus:draft>provisioning']);
  assert.throws(() => placeProject(snapshot({ project: { status: 'provisioning' } }), now, token), { code: 'PROJECT_INVALID_TRANSITION' });
  assert.throws(() => placeProject(snapshot({ project: { status: 'draft', cutoverAt: now } }), now, token), { code: 'PROJECT_INVALID' });
  assert.throws(() => placeProject(snapshot({ project: { status: 'draft', domains: [] } }), now, token), { code: 'PROJECT_INVALID' });
  assert.throws(() => placeProject(snapshot({ project: { status: 'draft' } }), now, 'short'), { code: 'PROJECT_INVALID' });
});

test('hold and resume: back to the interrupted status', () => {
  assert.deepEqual(describeActions(holdProject(snapshot({ project: { status: 'waiting_for_cutover' } }), 'partner asked')), ['hold:waiting_for_cutover']);
  assert.throws(() => holdProject(snapshot({ project: { status: 'complete' } }), 'x'), { code: 'PROJECT_INVALID_TRANSITION' });
  assert.throws(() => holdProject(snapshot(), '  '), { code: 'PROJECT_INVALID' });
  assert.deepEqual(describeActions(resumeProject(snapshot({ project: { status: 'on_hold', heldFrom: 'domain_verification' } }))), ['resume:domain_verification']);
  assert.throws(() => resumeProject(snapshot()), { code: 'PROJECT_INVALID_TRANSITION' });
});

test('cancel from anywhere but the end', () => {
  assert.deepEqual(describeActions(cancelProject(snapshot({ project: { status: 'on_hold', heldFrom: 'provisioning' } }), 'deal off')), ['changeStatus:on_hold>cancelled']);
  assert.throws(() => cancelProject(snapshot({ project: { status: 'cancelled' } }), 'x'), { code: 'PROJECT_INVALID_TRANSITION' });
});

test('move T: earlier or later until switching_mx; never into the past', () => {
  const later = new Date('2026-06-22T10:00:00Z');
  const earlier = new Date('2026-06-08T10:00:00Z');
  assert.deepEqual(describeActions(moveCutover(snapshot({ project: { status: 'waiting_for_cutover' } }), now, later)), ['moveCutover:2026-06-22T10:00:00.000Z']);
  assert.deepEqual(describeActions(moveCutover(snapshot({ project: { status: 'domain_verification' } }), now, earlier)), ['moveCutover:2026-06-08T10:00:00.000Z']);
  assert.deepEqual(moveCutover(snapshot(), now, new Date('2026-06-15T10:00:00Z')), []);
  assert.throws(() => moveCutover(snapshot({ project: { status: 'switching_mx' } }), now, later), { code: 'PROJECT_INVALID_TRANSITION' });
  assert.throws(() => moveCutover(snapshot(), now, new Date('2026-03-01T00:00:00Z')), { code: 'PROJECT_INVALID' });
  // Inside the freeze, postponing is allowed.
  assert.equal(moveCutover(snapshot({ project: { status: 'waiting_for_cutover' } }), new Date('2026-06-15T08:00:00Z'), later).length, 1);
});

test('retry: only a failed step', () => {
  assert.deepEqual(describeActions(retryStep(snapshot({ steps: [step('create_mailboxes', 'failed')] }), 'create_mailboxes')), ['retryStep:create_mailboxes']);
  assert.throws(() => retryStep(snapshot(), 'create_mailboxes'), { code: 'STEP_NOT_RETRYABLE' });
});

const freezeCases: Array<{ name: string; status: Parameters<typeof snapshot>[0]; at: string; frozen: boolean }> = [
  { name: 'draft, any time', status: { project: { status: 'draft' } }, at: '2026-06-15T09:00:00Z', frozen: false },
  { name: 'waiting, T−4h − 1 ms', status: { project: { status: 'waiting_for_cutover' } }, at: '2026-06-15T05:59:59.999Z', frozen: false },
  { name: 'waiting, exactly T−4h', status: { project: { status: 'waiting_for_cutover' } }, at: '2026-06-15T06:00:00Z', frozen: true },
  { name: 'switching_mx', status: { project: { status: 'switching_mx' } }, at: '2026-06-15T10:01:00Z', frozen: true },
  { name: 'on hold from domain_verification, early', status: { project: { status: 'on_hold', heldFrom: 'domain_verification' } }, at: '2026-05-01T00:00:00Z', frozen: false },
  { name: 'cancelled', status: { project: { status: 'cancelled' } }, at: '2026-05-01T00:00:00Z', frozen: true },
];
for (const c of freezeCases) {
  test(`settings freeze: ${c.name} → ${c.frozen ? 'frozen' : 'editable'}`, () => {
    const run = (): void => assertSettingsEditable(snapshot(c.status), new Date(c.at));
    if (c.frozen) assert.throws(run, { code: 'PROJECT_SETTINGS_FROZEN' });
    else assert.doesNotThrow(run);
  });
}

test('settings: invalid orchestrator settings are refused with every problem', () => {
  assert.throws(() => assertSettingsEditable(snapshot(), now, { contactEmail: 'nope', sweepIntervalHours: -1 }), (err: Error & { code?: string }) => err.code === 'PROJECT_INVALID' && /contactEmail/.test(err.message) && /sweepIntervalHours/.test(err.message));
});
