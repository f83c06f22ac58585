/**
 * Calendars and contacts through the API: CalDAV/CardDAV endpoints with a URL (host, port and TLS from
 * it; the URL is part of the key), a project naming them (protocols checked), and companion DAV pairs
 * made when DAV endpoints are added by PATCH to a project that has pairs already.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApiHarness, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;
type Json = Record<string, unknown>;
const json = (res: { body: string }): Json => JSON.parse(res.body) as Json;

before(async () => {
  h = await startApiHarness('api_project_dav');
});
after(async () => {
  await h?.close();
});

test('DAV endpoints, a project naming them, companion pairs on PATCH', async () => {
  const ep = async (payload: Json): Promise<Json> => {
    const res = await h.as('operator', { method: 'POST', url: '/api/endpoints', payload: { authKind: 'password', maxConnections: 2, tls: 'none', ...payload } });
    assert.equal(res.statusCode, 201, res.body);
    return json(res);
  };
  const imapS = await ep({ name: 'old imap', host: 'old.example.test', port: 1143 });
  const imapT = await ep({ name: 'new imap', host: 'new.example.test', port: 1143 });
  const calS = await ep({ name: 'old cal', protocol: 'caldav', url: 'https://dav.old.example.test:8443/radicale/' });
  assert.deepEqual([calS['protocol'], calS['url'], calS['host'], calS['port'], calS['tls'], calS['compress']], ['caldav', 'https://dav.old.example.test:8443/radicale/', 'dav.old.example.test', 8443, 'implicit', 'auto']);
  // COMPRESS=DEFLATE is an IMAP setting: a DAV endpoint refuses on/off, at creation and on change.
  const compressed = await h.as('operator', { method: 'POST', url: '/api/endpoints', payload: { name: 'x', protocol: 'caldav', url: 'https://dav.x.example.test/', authKind: 'password', compress: 'on' } });
  assert.equal(compressed.statusCode, 400, compressed.body);
  assert.match(compressed.body, /ENDPOINT_INVALID.*compress: only for IMAP endpoints/);
  const compressPatch = await h.as('operator', { method: 'PATCH', url: `/api/endpoints/${String(calS['id'])}`, payload: { compress: 'off' } });
  assert.equal(compressPatch.statusCode, 400, compressPatch.body);
  const calT = await ep({ name: 'new cal', protocol: 'caldav', url: 'http://dav.new.example.test/' });
  // Same host and login method, another path: another endpoint.
  const cardS = await ep({ name: 'old card', protocol: 'carddav', url: 'https://dav.old.example.test:8443/radicale/' });
  const other = await ep({ name: 'old cal 2', protocol: 'caldav', url: 'https://dav.old.example.test:8443/other/' });
  assert.notEqual(other['id'], calS['id']);
  const dup = await h.as('operator', { method: 'POST', url: '/api/endpoints', payload: { name: 'again', protocol: 'caldav', url: 'https://dav.old.example.test:8443/radicale/', authKind: 'password' } });
  assert.equal(dup.statusCode, 409, dup.body);
  const noUrl = await h.as('operator', { method: 'POST', url: '/api/endpoints', payload: { name: 'x', protocol: 'carddav', authKind: 'password' } });
  assert.equal(noUrl.statusCode, 400, noUrl.body);

  const created = await h.as('operator', { method: 'POST', url: '/api/projects', payload: { name: 'Dav', sourceEndpointId: imapS['id'], targetEndpointId: imapT['id'] } });
  assert.equal(created.statusCode, 201, created.body);
  const projectId = json(created)['id'] as string;
  const csv = 'Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags\r\n' +
    'a@old.test,a,pw-a,a@new.test,a,pw-a2,\r\nb@old.test,b,pw-b,b@new.test,b,pw-b2,';
  const imported = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import`, headers: { 'content-type': 'text/csv' }, payload: csv }));
  assert.equal(imported['created'], 2);

  const wrong = await h.as('operator', { method: 'PATCH', url: `/api/projects/${projectId}`, payload: { sourceCaldavEndpointId: cardS['id'] } });
  assert.equal(wrong.statusCode, 400, wrong.body);
  assert.match(wrong.body, /PROJECT_INVALID/);

  const patched = await h.as('operator', { method: 'PATCH', url: `/api/projects/${projectId}`, payload: { sourceCaldavEndpointId: calS['id'], targetCaldavEndpointId: calT['id'] } });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.deepEqual([json(patched)['sourceCaldavEndpointId'], json(patched)['targetCaldavEndpointId'], json(patched)['sourceCarddavEndpointId']], [calS['id'], calT['id'], null]);
  const pairs = json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/pairs` }));
  assert.equal(pairs['total'], 4, 'two mailbox pairs and their two CalDAV pairs');
  const again = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import`, headers: { 'content-type': 'text/csv' }, payload: csv }));
  assert.deepEqual([again['created'], again['updated'], again['unchanged']], [0, 0, 2]);
  assert.equal(json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/pairs` }))['total'], 4);
});
