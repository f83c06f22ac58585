import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doctorSteps, doctorText, type DoctorCheck } from './doctor-report.ts';

const base: DoctorCheck = {
  side: 'source', server: 'imap.example.org:993', tls: 'implicit', user: 'alice', authKind: 'password', adminUser: null,
  ok: true, serverName: 'Dovecot', capabilities: ['IMAP4REV1', 'UIDPLUS', 'CONDSTORE'], missing: ['MULTIAPPEND'], error: null,
};

test('a good check is OK down to the capabilities, which warn about a missing one', () => {
  const steps = doctorSteps(base);
  assert.deepEqual(steps.map((s) => [s.step, s.status]), [['connect', 'ok'], ['tls', 'ok'], ['login', 'ok'], ['capabilities', 'warn']]);
  assert.match(doctorText(base), /MULTIAPPEND no/);
});

test('a wrong password fails the login step and skips the rest', () => {
  const check: DoctorCheck = { ...base, ok: false, missing: [], capabilities: [], error: { code: 'IMAP_AUTH_FAILED', message: 'no', hint: 'fix it' } };
  assert.deepEqual(doctorSteps(check).map((s) => s.status), ['ok', 'ok', 'fail', 'skipped']);
});

test('a refused connection fails at connect; a TLS error at tls', () => {
  const refused: DoctorCheck = { ...base, ok: false, error: { code: 'IMAP_CONNECT_FAILED', message: 'refused', hint: '' } };
  assert.deepEqual(doctorSteps(refused).map((s) => s.status), ['fail', 'skipped', 'skipped', 'skipped']);
  const tls: DoctorCheck = { ...base, ok: false, error: { code: 'IMAP_TLS_FAILED', message: 'cert', hint: '' } };
  assert.deepEqual(doctorSteps(tls).map((s) => s.status), ['ok', 'fail', 'skipped', 'skipped']);
});

test('master access has a master-user step where an authorization failure lands', () => {
  const check: DoctorCheck = { ...base, authKind: 'master', adminUser: 'admin', ok: false, error: { code: 'IMAP_AUTHZ_FAILED', message: 'not allowed', hint: '' } };
  assert.deepEqual(doctorSteps(check).map((s) => [s.step, s.status]), [['connect', 'ok'], ['tls', 'ok'], ['login', 'ok'], ['master user', 'fail'], ['capabilities', 'skipped']]);
});

test('plain text is a warning', () => {
  assert.equal(doctorSteps({ ...base, tls: 'none' })[1]?.status, 'warn');
});
