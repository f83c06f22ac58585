import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassProgressTracker } from './pass-progress.ts';

test('nothing to write before the pass started', () => {
  const t = new PassProgressTracker();
  t.update({ type: 'plan', folders: 3, foldersToSync: 2, estimatedItems: 10 });
  assert.equal(t.take(), null);
});

test('the STATUS estimate until folders are planned, then what was planned', () => {
  const t = new PassProgressTracker();
  t.update({ type: 'pass-started', passId: '7' });
  t.update({ type: 'plan', folders: 3, foldersToSync: 2, estimatedItems: 10 });
  assert.deepEqual(t.take(), { itemsPlanned: 10, itemsDone: 0, bytesPlanned: 0, bytesDone: 0 });
  assert.equal(t.take(), null, 'unchanged: nothing to write');
  t.update({ type: 'folder-planned', folder: 'INBOX', toCopy: 4, bytes: 4000 });
  t.update({ type: 'copied', folder: 'INBOX', count: 4, bytes: 4000 });
  assert.deepEqual(t.take(), { itemsPlanned: 10, itemsDone: 4, bytesPlanned: 10000, bytesDone: 4000 });
  t.update({ type: 'folder-planned', folder: 'Sent', toCopy: 8, bytes: 16000 });
  t.update({ type: 'copied', folder: 'Sent', count: 8, bytes: 16000 });
  assert.deepEqual(t.take(), { itemsPlanned: 12, itemsDone: 12, bytesPlanned: 20000, bytesDone: 20000 });
});
