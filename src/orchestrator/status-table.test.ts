import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOW_STATUSES, PROJECT_STATUSES, STATUS_TABLE, STEP_NAMES, STEP_TABLE, isAllowedTransition, stepSpec, type FlowStatus, type ProjectStatus } from './status-table.ts';

test('the status table has one row per flow status, in flow order, each pointing to the next', () => {
  assert.deepEqual(STATUS_TABLE.map((r) => r.status), [...FLOW_STATUSES]);
  STATUS_TABLE.forEach((row, i) => assert.equal(row.next, FLOW_STATUSES[i + 1] ?? null, row.status));
});

test('every step has a spec, dependencies come earlier in the table', () => {
  assert.deepEqual(STEP_TABLE.map((s) => s.name), [...STEP_NAMES]);
  STEP_TABLE.forEach((spec, i) => {
    for (const dep of spec.dependsOn) assert.ok(STEP_TABLE.findIndex((s) => s.name === dep) < i, `${spec.name} depends on later ${dep}`);
  });
  assert.equal(stepSpec('create_mailboxes').status, 'creating_mailboxes');
  assert.equal(stepSpec('switch_mx').runsUntil, 'sweeping');
});

// Every (from, to) pair of statuses, judged against the specification.
function expected(from: ProjectStatus, to: ProjectStatus, heldFrom: FlowStatus | null): boolean {
  if (from === 'cancelled' || from === 'complete') return false;
  if (to === 'cancelled') return true;
  if (to === 'on_hold') return from !== 'on_hold';
  if (from === 'on_hold') return to === heldFrom;
  const i = FLOW_STATUSES.indexOf(from);
  return FLOW_STATUSES[i + 1] === to;
}

for (const from of PROJECT_STATUSES) {
  for (const to of PROJECT_STATUSES) {
    const held: FlowStatus | null = from === 'on_hold' ? 'domain_verification' : null;
    const want = expected(from, to, held);
    test(`transition ${from} → ${to}: ${want ? 'allowed' : 'refused'}`, () => {
      assert.equal(isAllowedTransition(from, to, held), want);
    });
  }
}

test('leaving a hold returns only to the interrupted status', () => {
  for (const status of FLOW_STATUSES) {
    assert.equal(isAllowedTransition('on_hold', status, 'waiting_for_cutover'), status === 'waiting_for_cutover', status);
  }
  assert.equal(isAllowedTransition('on_hold', 'provisioning', null), false);
});
