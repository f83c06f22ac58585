/**
 * Provider contract against real Dovecot: the dovecot-passwd provider creates target accounts that
 * Dovecot accepts at once (login as the user, and as `user*admin` through the migration access), the
 * account limit is the licence check, and the manual provider reports the accounts it cannot log in to.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ImapEndpoint } from '../../src/core/endpoint.ts';
import { openImapSession } from '../../src/connectors/imap/imap-session.ts';
import { createDovecotPasswdProvider } from '../../src/providers/dovecot-passwd-provider.ts';
import { createManualProvider } from '../../src/providers/manual-provider.ts';
import type { TargetAccountSpec } from '../../src/providers/target-provider.ts';
import { judgeCreations } from '../../src/orchestrator/creation-failure-rule.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';

const isRoot = process.getuid?.() === 0;
const uid = isRoot ? 65534 : (process.getuid?.() ?? 65534);
const gid = isRoot ? 65534 : (process.getgid?.() ?? 65534);
const stateRoot = process.env['CUTOVER_TEST_STATE'] ?? resolve(import.meta.dirname, '../../.test-state');

let dir: string;
let dovecot: DovecotInstance;
const usersFile = (): string => join(dir, 'users');
const masterFile = (): string => join(dir, 'master-users');

before(async () => {
  mkdirSync(stateRoot, { recursive: true });
  dir = mkdtempSync(join(stateRoot, 'provider-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'home'), { mode: 0o755 });
  chmodSync(join(dir, 'home'), 0o755);
  dovecot = await startDovecot({ name: 'provider-target', users: {}, usersFile: usersFile(), masterUsersFile: masterFile() });
});
after(async () => {
  await dovecot.stop();
  rmSync(dir, { recursive: true, force: true });
});

const endpoint = (user: string, password: string): ImapEndpoint => ({
  host: dovecot.host, port: dovecot.port, tls: 'none', tlsVerify: false, maxConnections: 2, auth: { kind: 'password', user, password },
});
const masterEndpoint = (user: string): ImapEndpoint => ({
  host: dovecot.host, port: dovecot.port, tls: 'none', tlsVerify: false, maxConnections: 2,
  auth: { kind: 'master', user, adminUser: 'cutover-admin', password: 'admin-secret', method: 'separator', separator: '*' },
});
async function canLogIn(e: ImapEndpoint): Promise<boolean> {
  try {
    const session = await openImapSession(e);
    await session.close();
    return true;
  } catch {
    return false;
  }
}
/** Dovecot re-reads a changed passwd-file at most once a second: poll for the expected answer. */
async function eventually(e: ImapEndpoint, want: boolean): Promise<boolean> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const got = await canLogIn(e);
    if (got === want || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
}
const spec = (user: string, password: string | null = `pw-${user}`): TargetAccountSpec => ({ pairId: user, user, email: `${user}@acme.test`, password });

test('dovecot-passwd: creates accounts Dovecot accepts; a second run finds them; master access on and off', async () => {
  const provider = createDovecotPasswdProvider({
    usersFile: usersFile(), masterUsersFile: masterFile(), homeRoot: join(dir, 'home'), uid, gid, fileMode: 0o644,
    migrationUser: { user: 'cutover-admin', password: 'admin-secret' },
  });
  await provider.verifyAccess();
  assert.equal(await canLogIn(endpoint('alice', 'pw-alice')), false);

  const first = await Promise.all([spec('alice'), spec('bob'), spec('carol', null)].map((a) => provider.ensureAccount(a)));
  assert.deepEqual(first.map((r) => r.outcome), ['created', 'created', 'created']);
  assert.equal(await eventually(endpoint('alice', 'pw-alice'), true), true);
  assert.equal(await canLogIn(endpoint('bob', 'pw-bob')), true);
  assert.equal(await canLogIn(endpoint('alice', 'wrong')), false);
  // The file holds hashes, never the passwords.
  assert.doesNotMatch(readFileSync(usersFile(), 'utf8'), /pw-alice/);

  const again = await provider.ensureAccount(spec('alice', 'something-else'));
  assert.equal(again.outcome, 'exists');
  assert.equal(await canLogIn(endpoint('alice', 'pw-alice')), true);

  // Migration access: carol has no password of her own; the master user reaches her mailbox.
  assert.equal(await canLogIn(masterEndpoint('carol')), false);
  await provider.setupMigrationAccess();
  await provider.setupMigrationAccess();
  assert.equal(await eventually(masterEndpoint('carol'), true), true);
  await provider.removeMigrationAccess();
  assert.equal(await eventually(masterEndpoint('carol'), false), false);
});

test('dovecot-passwd: the account limit is the licence check; invalid names fail one by one', async () => {
  const provider = createDovecotPasswdProvider({ usersFile: usersFile(), homeRoot: join(dir, 'home'), uid, gid, maxAccounts: 5, fileMode: 0o644 });
  const capacity = await provider.checkCapacity([spec('alice'), spec('dave'), spec('erin'), spec('frank')]);
  // alice exists; 3 new accounts needed, 5 − 3 existing = 2 free.
  assert.deepEqual(capacity, { known: true, available: 2, needed: 3, sufficient: false });
  const results = await Promise.all([spec('dave'), spec('bad:name'), spec('erin')].map((a) => provider.ensureAccount(a)));
  assert.deepEqual(results.map((r) => r.outcome), ['created', 'failed', 'created']);
  const failed = results.filter((r) => r.outcome === 'failed').length;
  // 1 of 3 failed: ≥25% → the create step would fail.
  assert.equal(judgeCreations(results.length, failed).stepFails, true);
  const overLimit = await provider.ensureAccount(spec('frank'));
  assert.equal(overLimit.outcome, 'failed');
});

test('manual: logs in to each target account and reports those that fail', async () => {
  const passwords: Record<string, string> = { alice: 'pw-alice', bob: 'wrong-password', nobody: 'x' };
  const provider = createManualProvider({ targetEndpoint: (a) => Promise.resolve(endpoint(a.user, passwords[a.user] ?? '')) });
  assert.deepEqual(await provider.checkCapacity([spec('alice')]), { known: false, available: null, needed: 1, sufficient: true });
  const results = await Promise.all(['alice', 'bob', 'nobody'].map((u) => provider.ensureAccount(spec(u))));
  assert.deepEqual(results.map((r) => r.outcome), ['exists', 'failed', 'failed']);
  const bob = results[1];
  assert.ok(bob && bob.outcome === 'failed');
  assert.equal(bob.error.code, 'PROVIDER_ACCOUNT_FAILED');
  assert.equal(bob.error.details['code'], 'IMAP_AUTH_FAILED');
  assert.doesNotMatch(bob.error.message, /wrong-password/);
});
