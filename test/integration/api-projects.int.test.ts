/**
 * Projects through the API against a real PostgreSQL: endpoints (their COMPRESS=DEFLATE setting through
 * create, show, list and change), a project, CSV import (preview with
 * row errors and line numbers, all-or-nothing, importValidRows, idempotent re-import, text/csv and
 * JSON bodies), pairs (filter, sort, paging), pair and project actions (recorded by a tiny in-test
 * TaskQueue standing in for pg-boss), reports as JSON and CSV.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApiHarness, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;
let projectId: string;

const HEADER = 'Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags';
const good = (n: number): string => `user${n}@old.test,user${n},src-pw-${n},user${n}@new.test,user${n},dst-pw-${n},`;
const CSV_WITH_ERRORS = [HEADER, good(1), 'not-an-address,u2,src-pw-2,user2@new.test,user2,dst-pw-2,', good(3), 'user4@old.test,user4,,user4@new.test,user4,dst-pw-4,', good(5)].join('\r\n');

type Json = Record<string, unknown>;
const json = (res: { body: string }): Json => JSON.parse(res.body) as Json;

before(async () => {
  h = await startApiHarness('api_projects');
  const ep = async (name: string, host: string): Promise<string> => {
    const res = await h.as('operator', { method: 'POST', url: '/api/endpoints', payload: { name, host, port: 1143, tls: 'none', authKind: 'password', maxConnections: 2 } });
    assert.equal(res.statusCode, 201, res.body);
    return json(res)['id'] as string;
  };
  const [source, target] = [await ep('old server', 'old.example.test'), await ep('new server', 'new.example.test')];
  const res = await h.as('operator', { method: 'POST', url: '/api/projects', payload: { name: 'Acme', sourceEndpointId: source, targetEndpointId: target, domains: ['acme.test'], cutoverAt: '2030-06-01T18:00:00+02:00', timeZone: 'Europe/Berlin' } });
  assert.equal(res.statusCode, 201, res.body);
  projectId = json(res)['id'] as string;
});
after(async () => {
  await h?.close();
});

describe('endpoints', () => {
  test('compress: auto by default, kept through create, show, list and change; a bad value is a 400', async () => {
    const listed = json(await h.as('viewer', { method: 'GET', url: '/api/endpoints' }))['endpoints'] as Array<{ name: string; compress: string }>;
    assert.deepEqual(listed.filter((e) => e.name.endsWith(' server')).map((e) => e.compress), ['auto', 'auto']);

    const created = await h.as('operator', { method: 'POST', url: '/api/endpoints', payload: { name: 'far server', host: 'far.example.test', tls: 'none', compress: 'on' } });
    assert.equal(created.statusCode, 201, created.body);
    const id = json(created)['id'] as string;
    assert.equal(json(created)['compress'], 'on');
    assert.equal(json(await h.as('viewer', { method: 'GET', url: `/api/endpoints/${id}` }))['compress'], 'on');

    const off = await h.as('operator', { method: 'PATCH', url: `/api/endpoints/${id}`, payload: { compress: 'off' } });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(json(off)['compress'], 'off');
    const renamed = json(await h.as('operator', { method: 'PATCH', url: `/api/endpoints/${id}`, payload: { name: 'far away server' } }));
    assert.equal(renamed['compress'], 'off', 'a change that does not name compress keeps it');
    assert.ok((json(await h.as('viewer', { method: 'GET', url: '/api/endpoints' }))['endpoints'] as Array<{ id: string; compress: string }>)
      .some((e) => e.id === id && e.compress === 'off'));

    const bad = await h.as('operator', { method: 'PATCH', url: `/api/endpoints/${id}`, payload: { compress: 'fast' } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(json(bad)['code'], 'API_VALIDATION_FAILED');
    assert.match(bad.body, /compress/);
    const badCreate = await h.as('operator', { method: 'POST', url: '/api/endpoints', payload: { name: 'bad', host: 'bad.example.test', compress: 'yes' } });
    assert.equal(badCreate.statusCode, 400, badCreate.body);
    assert.equal(json(await h.as('viewer', { method: 'GET', url: `/api/endpoints/${id}` }))['compress'], 'off', 'the refused change wrote nothing');
  });
});

describe('CSV import', () => {
  test('a dry run lists every bad row with its line number and imports nothing', async () => {
    const res = await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import?dryRun=true`, headers: { 'content-type': 'text/csv' }, payload: CSV_WITH_ERRORS });
    assert.equal(res.statusCode, 200, res.body);
    const r = json(res) as { format: string; rows: number; errors: Array<{ line: number; message: string }>; created: number; imported: boolean };
    assert.equal(r.format, 'migrationwiz');
    assert.equal(r.rows, 5);
    assert.deepEqual(r.errors.map((e) => e.line), [3, 5]);
    assert.match(r.errors[0]?.message ?? '', /^line 3: /);
    assert.equal(r.imported, false);
    const pairs = json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/pairs` }));
    assert.equal(pairs['total'], 0);
  });

  test('with bad rows nothing is imported unless importValidRows is asked for; a re-import changes nothing', async () => {
    const refused = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import?batch=wave1`, headers: { 'content-type': 'text/csv' }, payload: CSV_WITH_ERRORS }));
    assert.equal(refused['imported'], false);
    assert.equal((json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/pairs` })))['total'], 0);

    const valid = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import?batch=wave1&importValidRows=true`, headers: { 'content-type': 'text/csv' }, payload: CSV_WITH_ERRORS }));
    assert.deepEqual([valid['imported'], valid['created']], [true, 3]);

    const again = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import?batch=wave1&importValidRows=true`, headers: { 'content-type': 'text/csv' }, payload: CSV_WITH_ERRORS }));
    assert.deepEqual([again['created'], again['updated'], again['unchanged']], [0, 0, 3]);
  });

  test('a JSON body {csv} works the same, into a test batch', async () => {
    const res = await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import`, payload: { csv: [HEADER, good(6), good(7)].join('\n'), batchName: 'pilot', isTestBatch: true } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([json(res)['imported'], json(res)['created']], [true, 2]);
    const batches = json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/batches` }))['batches'] as Array<{ name: string; isTest: boolean; pairCount: number }>;
    assert.deepEqual(batches.map((b) => [b.name, b.isTest, b.pairCount]), [['pilot', true, 2], ['wave1', false, 3]]);
  });

  test('a file with an unknown header is refused with line 1; a viewer may not even preview', async () => {
    const res = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import?dryRun=true`, headers: { 'content-type': 'text/csv' }, payload: 'a,b,c\n1,2,3\n' }));
    assert.equal((res['errors'] as Array<{ line: number }>)[0]?.line, 1);
    const viewer = await h.as('viewer', { method: 'POST', url: `/api/projects/${projectId}/import?dryRun=true`, headers: { 'content-type': 'text/csv' }, payload: CSV_WITH_ERRORS });
    assert.equal(viewer.statusCode, 403);
    const other = await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/import`, headers: { 'content-type': 'application/xml' }, payload: '<x/>' });
    assert.equal(other.statusCode, 415);
    assert.equal(json(other)['code'], 'API_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('pairs', () => {
  test('list with filter, sort and paging; show; empty pass history', async () => {
    const all = json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/pairs?sort=-source&limit=2&offset=0` }));
    assert.equal(all['total'], 5);
    const page = all['pairs'] as Array<{ id: string; sourceEmail: string; hasSourcePassword: boolean }>;
    assert.deepEqual(page.map((p) => p.sourceEmail), ['user7@old.test', 'user6@old.test']);
    assert.equal(page[0]?.hasSourcePassword, true);
    assert.ok(!JSON.stringify(all).includes('src-pw-'), 'no password in the list');
    const found = json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/pairs?search=USER3` }));
    assert.equal(found['total'], 1);
    const bad = await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/pairs?state=bogus` });
    assert.equal(bad.statusCode, 400);
    const id = page[0]?.id ?? '';
    assert.equal(json(await h.as('viewer', { method: 'GET', url: `/api/pairs/${id}` }))['sourceEmail'], 'user7@old.test');
    assert.deepEqual(json(await h.as('viewer', { method: 'GET', url: `/api/pairs/${id}/passes` }))['passes'], []);
    assert.equal((await h.as('viewer', { method: 'GET', url: '/api/pairs/999999' })).statusCode, 404);
  });

  test('actions queue passes (recording TaskQueue standing in for pg-boss), pause, resume, stop, reset', async () => {
    const { pairs } = json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/pairs?search=user1@` })) as { pairs: Array<{ id: string }> };
    const id = pairs[0]?.id ?? '';
    const before = h.tasks.length;
    const full = json(await h.as('operator', { method: 'POST', url: `/api/pairs/${id}/full` })) as { pair: { state: string }; pass: { kind: string; jobId: string } };
    assert.deepEqual([full.pair.state, full.pass.kind], ['queued', 'full']);
    assert.deepEqual(h.tasks.slice(before).map((t) => t.name), ['sync-pair']);
    assert.deepEqual(h.tasks.at(-1)?.data, { pairId: id, kind: 'full' });

    for (const kind of ['delta', 'verify', 'retry-failed']) {
      const res = await h.as('operator', { method: 'POST', url: `/api/pairs/${id}/${kind}` });
      assert.equal(res.statusCode, 200, `${kind}: ${res.body}`);
    }
    const paused = json(await h.as('operator', { method: 'POST', url: `/api/pairs/${id}/pause` })) as { pair: { paused: boolean; state: string } };
    assert.deepEqual([paused.pair.paused, paused.pair.state], [true, 'paused']);
    const refused = await h.as('operator', { method: 'POST', url: `/api/pairs/${id}/delta` });
    assert.equal(refused.statusCode, 409);
    assert.equal(json(refused)['code'], 'PAIR_PAUSED');
    const resumed = json(await h.as('operator', { method: 'POST', url: `/api/pairs/${id}/resume` })) as { pair: { paused: boolean } };
    assert.equal(resumed.pair.paused, false);
    const stopped = json(await h.as('operator', { method: 'POST', url: `/api/pairs/${id}/stop` })) as { pair: { state: string } };
    assert.equal(stopped.pair.state, 'stopped');
    const reset = json(await h.as('operator', { method: 'POST', url: `/api/pairs/${id}/reset?folder=INBOX` })) as { reset: { items: number } };
    assert.equal(reset.reset.items, 0);
  });

  test('project start, pause and resume', async () => {
    const start = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/start`, payload: {} })) as { pairs: number; queued: number; skipped: number };
    assert.equal(start.pairs, 5);
    assert.equal(start.queued + start.skipped, 5);
    const pause = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/pause` })) as { project: { paused: boolean } };
    assert.equal(pause.project.paused, true);
    const startPaused = await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/start` });
    assert.equal(startPaused.statusCode, 409);
    const resume = json(await h.as('operator', { method: 'POST', url: `/api/projects/${projectId}/resume` })) as { project: { paused: boolean } };
    assert.equal(resume.project.paused, false);
  });
});

describe('reports', () => {
  test('project report as JSON and CSV; pair report; failed items; findings', async () => {
    const report = json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/report` })) as { projectName: string; pairs: { total: number }; pairRows: unknown[] };
    assert.deepEqual([report.projectName, report.pairs.total, report.pairRows.length], ['Acme', 5, 5]);
    const csv = await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/report?format=csv` });
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.equal(csv.body.trim().split('\r\n').length, 6);
    assert.match(csv.body.split('\r\n')[0] ?? '', /pairId/);
    const pairId = (report.pairRows[0] as { pairId: string }).pairId;
    assert.equal(json(await h.as('viewer', { method: 'GET', url: `/api/pairs/${pairId}/report` }))['pairId'], pairId);
    assert.deepEqual(json(await h.as('viewer', { method: 'GET', url: `/api/pairs/${pairId}/failed-items` }))['items'], []);
    assert.deepEqual(json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}/failed-items` }))['total'], 0);
    assert.deepEqual(json(await h.as('viewer', { method: 'GET', url: `/api/pairs/${pairId}/findings` }))['findings'], []);
  });
});

describe('settings', () => {
  test('migration settings are checked when saved: every problem listed, nothing stored; valid ones are kept', async () => {
    const bad = await h.as('operator', { method: 'PATCH', url: `/api/projects/${projectId}`, payload: { settings: { migration: { include: ['('], splitMessages: -1 } } } });
    assert.equal(bad.statusCode, 400, bad.body);
    const error = json(bad) as { code: string; message: string };
    assert.equal(error.code, 'PROJECT_INVALID');
    assert.match(error.message, /splitMessages/);
    const created = await h.as('operator', { method: 'POST', url: '/api/projects', payload: { name: 'typo', settings: { migration: { maxsize: 5 } } } });
    assert.equal(created.statusCode, 400, created.body);
    assert.equal((json(await h.as('viewer', { method: 'GET', url: `/api/projects/${projectId}` }))['settings'] as Json)['migration'], undefined);
    const settings = { contactName: 'Ops', migration: { exclude: ['^Junk'], batchMessages: 50, splitMessages: 0 } };
    const good = await h.as('operator', { method: 'PATCH', url: `/api/projects/${projectId}`, payload: { settings } });
    assert.equal(good.statusCode, 200, good.body);
    assert.deepEqual(json(good)['settings'], settings);
  });
});
