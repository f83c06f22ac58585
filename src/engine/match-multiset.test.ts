import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchWithMultiplicity } from './match-multiset.ts';

const item = (id: string, fingerprint: string) => ({ id, fingerprint });
const cand = (key: number, fingerprint: string) => ({ key, fingerprint });

test('two identical items need two candidates', () => {
  const r = matchWithMultiplicity([item('a', 'F'), item('b', 'F')], [cand(7, 'F')]);
  assert.deepEqual(r.matched.map((m) => [m.item.id, m.key]), [['a', 7]]);
  assert.deepEqual(r.unmatched.map((u) => u.id), ['b']);
});

test('each candidate is claimed once, in the order given', () => {
  const r = matchWithMultiplicity(
    [item('a', 'F'), item('b', 'G'), item('c', 'F')],
    [cand(3, 'F'), cand(4, 'G'), cand(5, 'F'), cand(6, 'F')],
  );
  assert.deepEqual(r.matched.map((m) => [m.item.id, m.key]), [['a', 3], ['b', 4], ['c', 5]]);
  assert.equal(r.unmatched.length, 0);
});

test('no candidates: everything unmatched', () => {
  const r = matchWithMultiplicity([item('a', 'F')], []);
  assert.equal(r.matched.length, 0);
  assert.deepEqual(r.unmatched.map((u) => u.id), ['a']);
});

test('different fingerprints never match', () => {
  const r = matchWithMultiplicity([item('a', 'F')], [cand(1, 'G')]);
  assert.equal(r.matched.length, 0);
});
