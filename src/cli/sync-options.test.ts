import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSyncFlags, tlsModeFrom, type SyncFlags } from './sync-options.ts';
import { isAppError } from '../core/app-error.ts';

const base: SyncFlags = { host1: 'a.test', user1: 'u1', password1: 'p1', host2: 'b.test', user2: 'u2', password2: 'p2' };

const tlsCases: Array<[string, Parameters<typeof tlsModeFrom>[0], string]> = [
  ['default on 143 is STARTTLS (secure by default)', {}, 'starttls'],
  ['default on 993 is implicit TLS', { port: 993 }, 'implicit'],
  ['--ssl', { ssl: true }, 'implicit'],
  ['--tls', { tls: true }, 'starttls'],
  ['--nossl --notls is plain text', { nossl: true, notls: true }, 'none'],
  ['--nossl alone still STARTTLS', { nossl: true }, 'starttls'],
  ['--notls alone is implicit TLS', { notls: true }, 'implicit'],
];
for (const [name, flags, expected] of tlsCases) test(`TLS mode: ${name}`, () => assert.equal(tlsModeFrom(flags), expected));

test('imapsync flags become endpoints and pass options', () => {
  const plan = parseSyncFlags({ ...base, nossl1: true, notls1: true, port2: '993', ssl2: true, folder: ['INBOX'], maxage: '30', dry: true }, {}, 'w');
  assert.equal(plan.source.tls, 'none');
  assert.equal(plan.source.port, 143);
  assert.equal(plan.target.tls, 'implicit');
  assert.equal(plan.target.port, 993);
  assert.deepEqual(plan.pass.selection.folders, ['INBOX']);
  assert.equal(plan.pass.filters.maxAgeDays, 30);
  assert.equal(plan.pass.dryRun, true);
  assert.equal(plan.source.tlsVerify, true);
});

test('--authuser1 is an admin (master) login acting as the user', () => {
  const plan = parseSyncFlags({ ...base, authuser1: 'admin' }, {}, 'w');
  assert.deepEqual(plan.source.auth, { kind: 'master', user: 'u1', adminUser: 'admin', password: 'p1', method: 'authzid' });
  const sep = parseSyncFlags({ ...base, authuser1: 'admin', masterSeparator1: '*' }, {}, 'w');
  assert.equal(sep.source.auth.kind === 'master' && sep.source.auth.method, 'separator');
});

test('--passfile reads the first line; the environment is the fallback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-'));
  writeFileSync(join(dir, 'p'), 'sécret\r\nignored\n');
  const { password1: _p, ...rest } = base;
  const plan = parseSyncFlags({ ...rest, passfile1: join(dir, 'p') }, {}, 'w');
  assert.equal(plan.source.auth.kind === 'password' && plan.source.auth.password, 'sécret');
  const fromEnv = parseSyncFlags(rest, { CUTOVER_PASSWORD1: 'env' }, 'w');
  assert.equal(fromEnv.source.auth.kind === 'password' && fromEnv.source.auth.password, 'env');
});

test('every problem is reported at once', () => {
  try {
    parseSyncFlags({ host1: 'a', port1: 'x', include: ['('], maxage: '-1' }, {}, 'w');
    assert.fail('should throw');
  } catch (err) {
    assert.ok(isAppError(err));
    assert.equal(err.code, 'USAGE_INVALID');
    for (const part of ['--user1', '--port1', '--include', '--maxage', '--host2', 'password for account 1']) {
      assert.ok(err.message.includes(part), `${part} missing in: ${err.message}`);
    }
  }
});

test('--compressN / --nocompressN pick the compression mode; the default is auto (unset)', () => {
  const plan = parseSyncFlags({ ...base, compress1: true, nocompress2: true }, {}, 'w');
  assert.equal(plan.source.compress, 'on');
  assert.equal(plan.target.compress, 'off');
  assert.equal(parseSyncFlags(base, {}, 'w').source.compress, undefined);
  assert.throws(() => parseSyncFlags({ ...base, compress1: true, nocompress1: true }, {}, 'w'), /contradict/);
});
