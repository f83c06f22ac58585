import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../core/app-error.ts';
import type { ErrorCode } from '../core/error-codes.ts';
import { BACKOFF_CAP_MS, MAX_TRANSIENT_ATTEMPTS, SERVER_HINT_CAP_MS, backoffMs, errorAction, shouldStopPair } from './classify-error.ts';

void test('retry class decides the action', () => {
  const cases: Array<{ code: ErrorCode; stop: boolean; action: string }> = [
    { code: 'IMAP_AUTH_FAILED', stop: true, action: 'stop-pair' },
    { code: 'TARGET_QUOTA_EXCEEDED', stop: true, action: 'stop-pair' },
    { code: 'FILTER_INVALID', stop: true, action: 'stop-pair' },
    { code: 'ITEM_REJECTED', stop: false, action: 'record-item' },
    { code: 'ITEM_TOO_LARGE', stop: false, action: 'record-item' },
    { code: 'FOLDER_CREATE_FAILED', stop: false, action: 'record-item' },
    { code: 'IMAP_CONNECTION_LOST', stop: false, action: 'retry' },
    { code: 'IMAP_THROTTLED', stop: false, action: 'retry' },
  ];
  for (const c of cases) {
    const err = new AppError(c.code, 'x');
    assert.equal(shouldStopPair(err), c.stop, c.code);
    assert.equal(errorAction(err, 1), c.action, c.code);
  }
  // A per-error override of the class is honoured.
  assert.equal(shouldStopPair(new AppError('IMAP_COMMAND_FAILED', 'x', { retry: 'user' })), true);
});

void test('transient errors abort the pass after MAX_TRANSIENT_ATTEMPTS', () => {
  const err = new AppError('IMAP_TIMEOUT', 'x');
  assert.equal(errorAction(err, MAX_TRANSIENT_ATTEMPTS - 1), 'retry');
  assert.equal(errorAction(err, MAX_TRANSIENT_ATTEMPTS), 'abort-pass');
});

void test('backoffMs: exponential, jittered, capped', () => {
  const cases: Array<{ attempt: number; random: number; expected: number }> = [
    { attempt: 1, random: 0, expected: 500 },
    { attempt: 1, random: 1, expected: 1000 },
    { attempt: 2, random: 0, expected: 1000 },
    { attempt: 3, random: 0.5, expected: 3000 },
    { attempt: 10, random: 1, expected: 5 * 60_000 },
    { attempt: 5000, random: 1, expected: BACKOFF_CAP_MS },
    { attempt: 0, random: 1, expected: 1000 },
    { attempt: Number.NaN, random: 1, expected: 1000 },
  ];
  for (const c of cases) assert.equal(backoffMs(c.attempt, undefined, () => c.random), c.expected, `attempt ${c.attempt}`);
  for (let attempt = 1; attempt < 40; attempt++) {
    const d = backoffMs(attempt);
    assert.ok(d > 0 && d <= BACKOFF_CAP_MS, `attempt ${attempt}: ${d}`);
  }
});

void test('backoffMs honours a longer server hint, capped', () => {
  const cases: Array<{ hint: number | undefined; expected: number }> = [
    { hint: 30, expected: 30_000 },
    { hint: 0.2, expected: 1000 }, // shorter than our own delay: ours wins
    { hint: 0, expected: 1000 },
    { hint: -5, expected: 1000 },
    { hint: Number.POSITIVE_INFINITY, expected: 1000 },
    { hint: 10 * 24 * 3600, expected: SERVER_HINT_CAP_MS },
  ];
  for (const c of cases) assert.equal(backoffMs(1, c.hint, () => 1), c.expected, String(c.hint));
});
