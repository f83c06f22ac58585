import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PairReportRow } from '../store/report.repository.ts';
import { summarizePairs, toCsv } from './reports.ts';

const NOW = new Date('2025-03-01T12:00:00Z');
const WINDOW = 30 * 60 * 1000;

function row(over: Partial<PairReportRow>): PairReportRow {
  return {
    pairId: '1', projectId: '1', batchId: null, batchName: null, sourceEmail: 'a@old.example.com', targetEmail: 'a@new.example.org',
    sourceUser: 'a', targetUser: 'a', state: 'idle', paused: false, passes: 0, lastPassKind: null, lastPassStatus: null,
    lastPassStartedAt: null, lastPassFinishedAt: null, migrated: 0, excluded: 0, failed: 0, inDoubt: 0, bytes: 0, recentBytes: 0,
    recentItems: 0, bytesPerSecond: null, itemsPerSecond: null, runningBytesPlanned: null, runningBytesDone: null,
    lastErrorCode: null, lastErrorText: null, ...over,
  };
}

void describe('summarizePairs', () => {
  void test('an empty project: nothing done, no estimate', () => {
    const s = summarizePairs([], NOW, WINDOW, null);
    assert.equal(s.progressPercent, 0);
    assert.equal(s.estimatedSecondsLeft, null);
    assert.equal(s.pairs.total, 0);
  });

  void test('before any pair completed: progress is the share of completed pairs, time left unknown', () => {
    const s = summarizePairs([row({ state: 'running', bytes: 500 }), row({ state: 'queued' })], NOW, WINDOW, new Date(NOW.getTime() - 60_000));
    assert.equal(s.progressPercent, 0);
    assert.equal(s.estimatedSecondsLeft, null);
    assert.equal(s.pairs.byState.running, 1);
  });

  void test('work left from the average completed pair, throughput from the recent window', () => {
    const rows = [
      row({ state: 'completed', bytes: 1000, migrated: 10, recentBytes: 1000, recentItems: 10 }),
      row({ state: 'completed', bytes: 3000, migrated: 30, recentBytes: 800, recentItems: 8 }),
      row({ state: 'running', bytes: 500, recentBytes: 500, recentItems: 5 }), // 2000 average - 500 = 1500 left
      row({ state: 'idle' }), // 2000 left
    ];
    // The project started 10 minutes ago: the window is 600 s, 2300 bytes in it.
    const s = summarizePairs(rows, NOW, WINDOW, new Date(NOW.getTime() - 600_000));
    assert.equal(s.bytes, 4500);
    assert.equal(s.items.migrated, 40);
    assert.equal(s.throughput.windowSeconds, 600);
    assert.equal(s.throughput.bytesPerSecond, 4); // 2300 / 600 = 3.83
    assert.equal(s.progressPercent, 56.3); // 4500 / (4500 + 3500)
    assert.equal(s.estimatedSecondsLeft, Math.ceil(3500 / (2300 / 600)));
    assert.equal(s.estimatedCompletionAt?.getTime(), NOW.getTime() + (s.estimatedSecondsLeft ?? 0) * 1000);
  });

  void test('a running pass that reports its plan counts what it still has to copy', () => {
    const rows = [
      row({ state: 'completed', bytes: 1000, recentBytes: 1000 }),
      row({ state: 'running', bytes: 100, recentBytes: 800, runningBytesPlanned: 10_000, runningBytesDone: 9000 }),
    ];
    const s = summarizePairs(rows, NOW, WINDOW, new Date(NOW.getTime() - 3_600_000));
    assert.equal(s.throughput.windowSeconds, 1800);
    assert.equal(s.estimatedSecondsLeft, Math.ceil(1000 / (1800 / 1800)));
  });

  void test('all pairs completed: 100 % and nothing left', () => {
    const s = summarizePairs([row({ state: 'completed', bytes: 10 })], NOW, WINDOW, new Date(NOW.getTime() - 3_600_000));
    assert.equal(s.progressPercent, 100);
    assert.equal(s.estimatedSecondsLeft, 0);
  });

  void test('an idle project (nothing in the window) has no estimate', () => {
    const rows = [row({ state: 'completed', bytes: 10 }), row({ state: 'failed', bytes: 2 })];
    const s = summarizePairs(rows, NOW, WINDOW, new Date(NOW.getTime() - 86_400_000));
    assert.equal(s.throughput.bytesPerSecond, 0);
    assert.equal(s.estimatedSecondsLeft, null);
  });
});

void describe('toCsv', () => {
  void test('RFC 4180 quoting, ISO dates, empty nulls, CRLF', () => {
    const csv = toCsv([
      { folder: 'INBOX', subject: 'Hello, "world"', date: new Date('2024-01-02T03:04:05Z'), size: 12, reason: null },
      { folder: 'Sent\nItems', subject: ' padded', date: null, size: 0, reason: 'ITEM_TOO_LARGE' },
    ]);
    assert.equal(csv, 'folder,subject,date,size,reason\r\nINBOX,"Hello, ""world""",2024-01-02T03:04:05.000Z,12,\r\n"Sent\nItems"," padded",,0,ITEM_TOO_LARGE\r\n');
  });

  void test('text a spreadsheet would run as a formula is defused; numbers are not', () => {
    const csv = toCsv([{ subject: '=HYPERLINK("http://x")', other: '@SUM(A1)', n: -5 }]);
    assert.equal(csv, 'subject,other,n\r\n"\'=HYPERLINK(""http://x"")",\'@SUM(A1),-5\r\n');
  });

  void test('columns can be chosen and ordered', () => {
    assert.equal(toCsv([{ a: 1, b: 2, c: 3 }], ['c', 'a']), 'c,a\r\n3,1\r\n');
    assert.equal(toCsv([], ['x']), 'x\r\n');
  });
});
