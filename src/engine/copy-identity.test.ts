import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmsCopy, looseKey, matchCopies } from './copy-identity.ts';

const at = new Date('2024-03-01T10:00:00.600Z');
const copy = (key: number, fingerprint: string, messageId: string | null, date = at) => ({ key, fingerprint, looseKey: looseKey(messageId, date) });
const item = (name: string, fingerprint: string, messageId: string | null, date = at) => ({ name, fingerprint, looseKey: looseKey(messageId, date) });

test('loose key: Message-ID and INTERNALDATE to the second; none without a Message-ID', () => {
  assert.equal(looseKey('<a@x>', at), looseKey('<a@x>', new Date('2024-03-01T10:00:00Z')));
  assert.notEqual(looseKey('<a@x>', at), looseKey('<a@x>', new Date('2024-03-01T10:00:01Z')));
  assert.equal(looseKey(null, at), null);
});

test('at a recorded UID the copy is confirmed unless fingerprint and Message-ID both differ', () => {
  assert.ok(confirmsCopy({ fingerprint: 'f1', messageId: '<a@x>' }, { fingerprint: 'f1', messageId: '<a@x>' }));
  assert.ok(confirmsCopy({ fingerprint: 'f1', messageId: '<a@x>' }, { fingerprint: 'f2', messageId: '<a@x>' }), 'rewritten copy');
  assert.ok(confirmsCopy({ fingerprint: 'f1', messageId: null }, { fingerprint: 'f2', messageId: null }), 'no Message-ID: the UID decides');
  assert.ok(!confirmsCopy({ fingerprint: 'f1', messageId: '<a@x>' }, { fingerprint: 'f2', messageId: '<b@x>' }));
  assert.ok(!confirmsCopy({ fingerprint: 'f1', messageId: '<a@x>' }, { fingerprint: 'f2', messageId: null }));
});

test('fingerprints first, then what is left by loose key, each copy once', () => {
  const items = [item('exact', 'fA', '<a@x>'), item('rewritten', 'fB', '<b@x>'), item('rewritten twin', 'fB', '<b@x>'), item('no id', 'fC', null), item('gone', 'fD', '<d@x>')];
  const candidates = [copy(1, 'fA', '<a@x>'), copy(2, 'fB*', '<b@x>'), copy(3, 'fC*', null), copy(4, 'fA*', '<a@x>')];
  const result = matchCopies(items, candidates);
  assert.deepEqual(result.matched.map((m) => [m.item.name, m.key]), [['exact', 1], ['rewritten', 2]]);
  // One copy of the twins only: the second twin is not matched again to it (it is sent); the spare
  // loose copy 4 of `exact` is never given to another Message-ID; no Message-ID, no guess.
  assert.deepEqual(result.unmatched.map((u) => u.name), ['rewritten twin', 'no id', 'gone']);
});
