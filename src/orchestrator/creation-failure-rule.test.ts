import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeCreations } from './creation-failure-rule.ts';

const cases: Array<[attempted: number, failed: number, stepFails: boolean]> = [
  [0, 0, false],
  [1, 0, false],
  [1, 1, true],
  [3, 0, false],
  [4, 0, false],
  [4, 1, true], // exactly 25%
  [5, 1, false], // 20%
  [100, 24, false],
  [100, 25, true],
  [10_000, 2_499, false], // 24.99%
  [10_000, 2_500, true],
  [7, 2, true], // 28.6%
];
for (const [attempted, failed, stepFails] of cases) {
  test(`≥25% rule: ${failed} of ${attempted} failed → the step ${stepFails ? 'fails' : 'succeeds'}`, () => {
    assert.equal(judgeCreations(attempted, failed).stepFails, stepFails);
  });
}

test('invalid counts are refused', () => {
  assert.throws(() => judgeCreations(1, 2), RangeError);
  assert.throws(() => judgeCreations(-1, 0), RangeError);
  assert.throws(() => judgeCreations(1.5, 0), RangeError);
});
