/**
 * DNS activities against a real dnsmasq on loopback: the TXT record appears → verified; the MX switch
 * is detected; the MX TTL is read for the advice.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsActivities, verificationRecord } from '../../src/orchestrator/activities/dns.ts';
import { startDnsmasq, type DnsmasqInstance } from '../helpers/dnsmasq.ts';

let dns: DnsmasqInstance;
const token = 'tok_4f9a1c2b3d4e5f60';
const oldMx = { 'acme.test': [{ host: 'mx.legacy.test', priority: 10 }] };

before(async () => {
  dns = await startDnsmasq({ zones: ['acme.test'], records: { mx: oldMx, txt: { 'acme.test': ['v=spf1 -all'] } }, ttl: 3600 });
});
after(async () => {
  await dns.stop();
});

test('TXT: missing → unverified; published → verified', async () => {
  const activities = createDnsActivities({ servers: [dns.server], timeoutMs: 1000 });
  const before = await activities.checkTxt('acme.test', token);
  assert.equal(before.verified, false);
  assert.deepEqual(before.records, ['v=spf1 -all']);

  await dns.setRecords({ mx: oldMx, txt: { 'acme.test': ['v=spf1 -all', verificationRecord(token)] } });
  const afterPublish = await activities.checkTxt('acme.test', token);
  assert.equal(afterPublish.verified, true);
  // Another project's token does not verify.
  assert.equal((await activities.checkTxt('acme.test', 'tok_other_0000000000')).verified, false);
});

test('TXT: a name without records is unverified, not an error', async () => {
  const activities = createDnsActivities({ servers: [dns.server], timeoutMs: 1000 });
  assert.equal((await activities.checkTxt('nothing.acme.test', token)).verified, false);
});

test('MX: old server → not switched; mixed → not yet; target only → switched', async () => {
  const activities = createDnsActivities({ servers: [dns.server], timeoutMs: 1000 });
  const target = ['mx1.target.test', 'mx2.target.test'];
  await dns.setRecords({ mx: oldMx });
  let mx = await activities.checkMx('acme.test', target);
  assert.deepEqual([mx.pointsToTarget, mx.anyTarget], [false, false]);
  assert.deepEqual(mx.hosts, [{ exchange: 'mx.legacy.test', priority: 10 }]);

  await dns.setRecords({ mx: { 'acme.test': [{ host: 'mx1.target.test', priority: 5 }, { host: 'mx.legacy.test', priority: 10 }] } });
  mx = await activities.checkMx('acme.test', target);
  assert.deepEqual([mx.pointsToTarget, mx.anyTarget], [false, true]);

  await dns.setRecords({ mx: { 'acme.test': [{ host: 'MX1.target.test', priority: 10 }, { host: 'mx2.target.test', priority: 20 }] } });
  mx = await activities.checkMx('acme.test', target);
  assert.equal(mx.pointsToTarget, true);
});

test('MX TTL: read from the answer (dnsmasq local-ttl)', async () => {
  const activities = createDnsActivities({ servers: [dns.server], timeoutMs: 1000 });
  await dns.setRecords({ mx: oldMx });
  assert.equal(await activities.readMxTtl('acme.test'), 3600);
  assert.equal(await activities.readMxTtl('none.acme.test'), null);
});

test('a resolver that does not answer → DNS_LOOKUP_FAILED', async () => {
  // A port nobody listens on (UDP): the query times out.
  const activities = createDnsActivities({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
  await assert.rejects(activities.checkTxt('acme.test', token), { code: 'DNS_LOOKUP_FAILED' });
  await assert.rejects(activities.readMxTtl('acme.test'), { code: 'DNS_LOOKUP_FAILED' });
});
