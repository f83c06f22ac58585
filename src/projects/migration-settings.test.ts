import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passSettingsFrom } from './migration-settings.ts';
import { isAppError } from '../core/app-error.ts';

test('no migration settings: copy everything', () => {
  const s = passSettingsFrom({});
  assert.deepEqual(s.selection.folders, null);
  assert.deepEqual(s.filters, { maxAgeDays: undefined, minAgeDays: undefined, maxSize: undefined, minSize: undefined });
  assert.equal(s.syncFlags, false);
  assert.equal(s.batchMessages, 200);
  assert.equal(s.splitMessages, 1000);
});

test('settings become pass options', () => {
  const s = passSettingsFrom({ migration: { exclude: ['^Junk'], regexTrans: ['s/^Archive/Old/'], maxSize: 1000, syncFlags: true, folders: ['INBOX'] } });
  assert.equal(s.selection.exclude[0]?.test('Junk E-mail'), true);
  assert.equal(s.selection.regexTrans.length, 1);
  assert.equal(s.filters.maxSize, 1000);
  assert.equal(s.syncFlags, true);
  assert.deepEqual(s.selection.folders, ['INBOX']);
});

test('batch and split sizes: given, 0 never splits, out of range refused', () => {
  const s = passSettingsFrom({ migration: { batchMessages: 50, splitMessages: 0 } });
  assert.equal(s.batchMessages, 50);
  assert.equal(s.splitMessages, 0);
  assert.throws(() => passSettingsFrom({ migration: { batchMessages: 0 } }), /batchMessages/);
  assert.throws(() => passSettingsFrom({ migration: { splitMessages: 1.5 } }), /splitMessages/);
});

test('every problem is reported at once', () => {
  try {
    passSettingsFrom({ migration: { include: ['('], regexTrans: ['nonsense'] } });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(isAppError(err));
    assert.equal(err.code, 'PROJECT_INVALID');
    assert.match(err.message, /include\[0\]/);
    assert.match(err.message, /regexTrans\[0\]/);
  }
});

test('unknown keys and wrong types are refused', () => {
  assert.throws(() => passSettingsFrom({ migration: { maxsize: 5 } }), /PROJECT_INVALID|invalid/);
  assert.throws(() => passSettingsFrom({ migration: { maxSize: -1 } }), /invalid/);
});
