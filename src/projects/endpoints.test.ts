import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSpecProblems, toEndpointView, type EndpointSpec } from './endpoints.ts';

const base: EndpointSpec = { name: 'Old server', host: 'imap.old.example.com', port: 993, tls: 'implicit', tlsVerify: true, authKind: 'password', maxConnections: 4 };

test('a valid spec has no problems', () => {
  assert.deepEqual(endpointSpecProblems(base), []);
  assert.deepEqual(endpointSpecProblems({ ...base, authKind: 'master', adminUser: 'admin', adminPassword: 'x', masterMethod: 'separator', masterSeparator: '*' }), []);
  assert.deepEqual(endpointSpecProblems({ ...base, authKind: 'oauth2', adminPassword: 'token' }), []);
  for (const compress of ['auto', 'on', 'off'] as const) assert.deepEqual(endpointSpecProblems({ ...base, compress }), []);
});

test('compress must be auto, on or off', () => {
  assert.deepEqual(endpointSpecProblems({ ...base, compress: 'fast' as unknown as 'on' }), ['compress: one of auto, on, off']);
});

test('every problem is listed at once, without the secret', () => {
  const problems = endpointSpecProblems({ ...base, name: ' ', port: 0, maxConnections: 0, authKind: 'master', masterMethod: 'separator', adminPassword: 'S3cret' });
  assert.deepEqual(problems.map((p) => p.split(':')[0]), ['name', 'port', 'maxConnections', 'adminUser', 'masterSeparator']);
  assert.doesNotMatch(problems.join(' '), /S3cret/);
  assert.deepEqual(endpointSpecProblems({ ...base, adminUser: 'admin', adminPassword: 'x' }).map((p) => p.split(':')[0]), ['adminUser', 'adminPassword']);
});

test('the view says whether a secret is stored and never carries it', () => {
  const view = toEndpointView({
    id: '7', protocol: 'imap', url: null, name: 'Old', host: 'h', port: 993, tls: 'implicit', tlsVerify: true, tlsCa: null, authKind: 'master', adminUser: 'admin',
    masterMethod: 'authzid', masterSeparator: null, secretSealed: Buffer.from('sealed'), maxConnections: 4, compress: 'off', createdAt: new Date(0),
  });
  assert.equal(view.hasSecret, true);
  assert.equal(view.compress, 'off');
  assert.equal(view.adminUser, 'admin');
  assert.ok(!('secretSealed' in view) && !('adminPassword' in view) && !('tlsCa' in view));
});

test('a CalDAV endpoint needs an http(s) URL and cannot use OAuth2', () => {
  const dav = { protocol: 'caldav' as const, name: 'Cal', host: 'x', port: 1, tls: 'none' as const, tlsVerify: true, authKind: 'password' as const, maxConnections: 4 };
  assert.deepEqual(endpointSpecProblems(dav).map((p) => p.split(':')[0]), ['url']);
  assert.deepEqual(endpointSpecProblems({ ...dav, url: 'https://dav.example.org/', authKind: 'oauth2' }).map((p) => p.split(':')[0]), ['authKind']);
  assert.deepEqual(endpointSpecProblems({ ...dav, protocol: 'imap', url: 'https://dav.example.org/' }).map((p) => p.split(':')[0]), ['url']);
});

test('compress is an IMAP setting: a CalDAV/CardDAV endpoint takes auto only', () => {
  const dav: EndpointSpec = { protocol: 'carddav', url: 'https://dav.example.org/', name: 'Card', host: 'x', port: 1, tls: 'none', tlsVerify: true, authKind: 'password', maxConnections: 4 };
  assert.deepEqual(endpointSpecProblems({ ...dav, compress: 'auto' }), []);
  assert.deepEqual(endpointSpecProblems({ ...dav, compress: 'on' }).map((p) => p.split(':')[0]), ['compress']);
});
