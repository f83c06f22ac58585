import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../core/app-error.ts';
import { buildFilters, describeFilter, evaluateFilters, filterHash, type FilterOptions, type FilterResult } from './filters.ts';

const now = new Date('2024-06-30T12:00:00Z');
const daysAgo = (d: number): Date => new Date(now.getTime() - d * 86_400_000);

void test('evaluateFilters: table', () => {
  const cases: Array<{ name: string; options: FilterOptions; date: Date; size: number; expected: FilterResult }> = [
    { name: 'no filter', options: {}, date: daysAgo(5000), size: 1e9, expected: { included: true } },
    { name: 'maxage inside', options: { maxAgeDays: 30 }, date: daysAgo(29), size: 1, expected: { included: true } },
    { name: 'maxage boundary is inclusive', options: { maxAgeDays: 30 }, date: daysAgo(30), size: 1, expected: { included: true } },
    { name: 'maxage too old', options: { maxAgeDays: 30 }, date: daysAgo(31), size: 1, expected: { included: false, rule: 'maxage=30d', timeDependent: true } },
    { name: 'maxage fractional', options: { maxAgeDays: 0.5 }, date: daysAgo(1), size: 1, expected: { included: false, rule: 'maxage=0.5d', timeDependent: true } },
    { name: 'minage old enough', options: { minAgeDays: 7 }, date: daysAgo(8), size: 1, expected: { included: true } },
    { name: 'minage too young', options: { minAgeDays: 7 }, date: daysAgo(1), size: 1, expected: { included: false, rule: 'minage=7d', timeDependent: true } },
    { name: 'window', options: { maxAgeDays: 30, minAgeDays: 7 }, date: daysAgo(10), size: 1, expected: { included: true } },
    { name: 'future date vs minage', options: { minAgeDays: 0 }, date: daysAgo(-1), size: 1, expected: { included: false, rule: 'minage=0d', timeDependent: true } },
    { name: 'maxsize equal is kept', options: { maxSize: 10_485_760 }, date: now, size: 10_485_760, expected: { included: true } },
    { name: 'maxsize bigger', options: { maxSize: 10_485_760 }, date: now, size: 10_485_761, expected: { included: false, rule: 'maxsize=10485760', timeDependent: false } },
    { name: 'minsize smaller', options: { minSize: 100 }, date: now, size: 99, expected: { included: false, rule: 'minsize=100', timeDependent: false } },
    {
      name: 'since',
      options: { since: new Date('2024-01-01T00:00:00Z') },
      date: new Date('2023-12-31T23:59:59Z'),
      size: 1,
      expected: { included: false, rule: 'since=2024-01-01T00:00:00.000Z', timeDependent: false },
    },
    {
      name: 'before is exclusive (IMAP SEARCH BEFORE)',
      options: { before: new Date('2024-01-01T00:00:00Z') },
      date: new Date('2024-01-01T00:00:00Z'),
      size: 1,
      expected: { included: false, rule: 'before=2024-01-01T00:00:00.000Z', timeDependent: false },
    },
    { name: 'first failing rule is reported', options: { maxAgeDays: 1, maxSize: 1 }, date: daysAgo(2), size: 2, expected: { included: false, rule: 'maxage=1d', timeDependent: true } },
  ];
  for (const c of cases) {
    assert.deepEqual(evaluateFilters(buildFilters(c.options, now), { internalDate: c.date, size: c.size }), c.expected, c.name);
  }
});

void test('buildFilters rejects invalid settings with FILTER_INVALID', () => {
  const cases: Array<{ options: FilterOptions; mentions: string }> = [
    { options: { maxAgeDays: -1 }, mentions: 'maxage' },
    { options: { minAgeDays: Number.NaN }, mentions: 'minage' },
    { options: { maxSize: -10 }, mentions: 'maxsize' },
    { options: { minSize: 1.5 }, mentions: 'minsize' },
    { options: { minAgeDays: 30, maxAgeDays: 7 }, mentions: 'minage must be smaller than maxage' },
    { options: { minAgeDays: 7, maxAgeDays: 7 }, mentions: 'leave no message' },
    { options: { minSize: 10, maxSize: 5 }, mentions: 'minsize=10 is larger than maxsize=5' },
    { options: { since: new Date('2024-02-01'), before: new Date('2024-01-01') }, mentions: 'not earlier than' },
    { options: { since: new Date('nope') }, mentions: 'since is not a valid date' },
  ];
  for (const c of cases) {
    assert.throws(
      () => buildFilters(c.options, now),
      (err: unknown) => err instanceof AppError && err.code === 'FILTER_INVALID' && err.message.includes(c.mentions),
      JSON.stringify(c.options),
    );
  }
});

void test('filterHash depends on the settings, not on now', () => {
  const day1 = buildFilters({ maxAgeDays: 30, maxSize: 1000 }, now);
  const day2 = buildFilters({ maxSize: 1000, maxAgeDays: 30 }, daysAgo(-1));
  assert.equal(filterHash(day1), filterHash(day2));
  assert.match(filterHash(day1), /^[0-9a-f]{64}$/);
  assert.notEqual(filterHash(day1), filterHash(buildFilters({ maxAgeDays: 31, maxSize: 1000 }, now)));
  assert.notEqual(filterHash(buildFilters({ maxAgeDays: 30 }, now)), filterHash(buildFilters({ minAgeDays: 30 }, now)));
  assert.notEqual(filterHash(buildFilters({}, now)), filterHash(day1));
  assert.equal(describeFilter(day1), 'maxage=30d maxsize=1000');
  assert.equal(describeFilter(buildFilters({}, now)), '');
});

void test('timeDependent is set by age rules only', () => {
  assert.equal(buildFilters({ maxAgeDays: 30 }, now).timeDependent, true);
  assert.equal(buildFilters({ minAgeDays: 1 }, now).timeDependent, true);
  assert.equal(buildFilters({ maxSize: 10, since: new Date('2020-01-01') }, now).timeDependent, false);
});
