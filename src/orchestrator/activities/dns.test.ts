import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adviseTtl, isTargetHost, judgeMx, judgeTxt } from './dns.ts';
import { buildQuery, parseServer, parseTtlResponse, RR_TYPE } from './dns-ttl-query.ts';

test('TXT: exact record of this token only', () => {
  assert.equal(judgeTxt('a.test', ['v=spf1 -all', 'cutover-verification=tok1'], 'tok1').verified, true);
  assert.equal(judgeTxt('a.test', ['cutover-verification=tok12'], 'tok1').verified, false);
  assert.equal(judgeTxt('a.test', [], 'tok1').verified, false);
});

test('MX: all hosts must be the target’s; case, trailing dot and *.suffix', () => {
  const target = ['mx1.target.test', '*.protection.example'];
  assert.equal(isTargetHost('MX1.Target.Test.', target), true);
  assert.equal(isTargetHost('acme-test.mail.protection.example', target), true);
  assert.equal(isTargetHost('protection.example.evil', target), false);
  assert.deepEqual([judgeMx('a', [], target).pointsToTarget, judgeMx('a', [], target).anyTarget], [false, false]);
  const mixed = judgeMx('a', [{ exchange: 'mx1.target.test', priority: 5 }, { exchange: 'old.test', priority: 10 }], target);
  assert.deepEqual([mixed.pointsToTarget, mixed.anyTarget], [false, true]);
});

const T = new Date('2026-06-15T10:00:00Z');
const ttlCases: Array<[ttl: number | null, now: string, status: string, lowerBy: string | null]> = [
  [null, '2026-06-12T10:00:00Z', 'unknown', null],
  [300, '2026-06-12T10:00:00Z', 'ok', null],
  [3600, '2026-06-12T10:00:00Z', 'lower', '2026-06-15T09:00:00.000Z'],
  [86400, '2026-06-14T10:00:00Z', 'lower', '2026-06-14T10:00:00.000Z'],
  [86400, '2026-06-14T10:00:01Z', 'late', '2026-06-14T10:00:00.000Z'],
];
for (const [ttl, now, status, lowerBy] of ttlCases) {
  test(`TTL advice: ${ttl ?? 'none'} s at ${now} → ${status}`, () => {
    const a = adviseTtl(ttl, T, new Date(now));
    assert.equal(a.status, status);
    assert.equal(a.lowerBy?.toISOString() ?? null, lowerBy);
  });
}

test('raw query: packet layout and a parsed answer with a compressed name', () => {
  const q = buildQuery(0x1234, 'acme.test', RR_TYPE.MX);
  assert.deepEqual([...q.subarray(0, 4)], [0x12, 0x34, 0x01, 0x00]);
  // Response: header (1 question, 1 answer) + the question + an MX answer pointing to offset 12.
  const answer = Buffer.concat([
    Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]), q.subarray(12),
    Buffer.from([0xc0, 12, 0, 15, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 0, 10, 0xc0, 12]),
  ]);
  assert.deepEqual(parseTtlResponse(answer, 0x1234, RR_TYPE.MX), { rcode: 0, ttls: [3600] });
  assert.throws(() => parseTtlResponse(answer, 0x9999, RR_TYPE.MX));
  assert.deepEqual(parseServer('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseServer('[::1]:53'), { host: '::1', port: 53 });
  assert.deepEqual(parseServer('9.9.9.9'), { host: '9.9.9.9', port: 53 });
});
