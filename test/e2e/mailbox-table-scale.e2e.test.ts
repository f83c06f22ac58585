/**
 * The mailbox table of a 5,000-pair project (pairs inserted straight into the database, in every state)
 * in Debian's Chromium against a real `cutover serve`: the time from navigation to the first rendered
 * row, and a fast scroll through the whole list (frame gaps while scrolling, time until the last rows
 * show their data). The numbers are printed; the test fails when the table stalls or is not virtualised.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { apiJson, logIn, openBrowser, screenshot, startServe, type BrowserSession, type ServeProcess } from './portal-harness.ts';

const PAIRS = 5000;
const STATES = ['completed', 'completed', 'completed', 'running', 'queued', 'idle', 'failed', 'paused'];

interface ScrollResult {
  readonly frames: number;
  readonly totalMs: number;
  readonly maxFrameMs: number;
  readonly avgFrameMs: number;
  readonly rowsInDom: number;
}

describe('a 5,000-mailbox project', () => {
  let serve: ServeProcess;
  let b: BrowserSession;
  let pool: pg.Pool;

  before(async () => {
    serve = await startServe('portal_scale', { CUTOVER_WORKER_CONCURRENCY: '1' });
    pool = new pg.Pool({ connectionString: serve.database.url, max: 2 });
    b = await openBrowser({ width: 1280, height: 860 });
  });

  after(async () => {
    await b?.close();
    await pool?.end();
    await serve?.stop();
  });

  test('renders fast and scrolls without stalling', async (t) => {
    const { page, context } = b;
    const url = serve.url;
    await logIn(page, url);
    const post = async <T>(path: string, data: unknown): Promise<T> => {
      const res = await context.request.post(`${url}${path}`, { data });
      assert.ok(res.ok(), `${path}: ${res.status()} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const endpoint = (name: string, port: number) => ({ name, host: '127.0.0.1', port, tls: 'none', tlsVerify: false, authKind: 'master', adminUser: 'admin', adminPassword: 'not-used', maxConnections: 4 });
    const src = await post<{ id: string }>('/api/endpoints', endpoint('legacy', 10143));
    const dst = await post<{ id: string }>('/api/endpoints', endpoint('new', 20143));
    const project = await post<{ id: string }>('/api/projects', {
      name: 'Globex (5,000 mailboxes)', sourceEndpointId: src.id, targetEndpointId: dst.id, timeZone: 'Europe/London',
      cutoverAt: new Date(Date.now() + 45 * 86400_000).toISOString(), domains: ['globex.example'],
    });
    const batches: string[] = [];
    for (let i = 1; i <= 5; i++) batches.push((await post<{ id: string }>(`/api/projects/${project.id}/batches`, { name: `wave ${i}`, isTest: i === 1 })).id);
    const inserted = Date.now();
    await pool.query(
      `INSERT INTO pairs (source_endpoint_id, target_endpoint_id, source_user, target_user, state, project_id, batch_id,
                          source_email, target_email, last_pass_at, last_error_code, last_error_text)
       SELECT $1, $2, 'user' || lpad(g::text, 5, '0'), 'user' || lpad(g::text, 5, '0'), ($5::text[])[1 + g % array_length($5::text[], 1)], $3,
              ($4::bigint[])[1 + g % 5], 'user' || lpad(g::text, 5, '0') || '@globex.example', 'user' || lpad(g::text, 5, '0') || '@new.globex.example',
              now() - (g || ' seconds')::interval,
              CASE WHEN ($5::text[])[1 + g % array_length($5::text[], 1)] = 'failed' THEN 'IMAP_AUTH_FAILED' END,
              CASE WHEN ($5::text[])[1 + g % array_length($5::text[], 1)] = 'failed' THEN 'source login failed: AUTHENTICATIONFAILED' END
         FROM generate_series(1, $6) g`,
      [src.id, dst.id, project.id, batches, STATES, PAIRS],
    );
    t.diagnostic(`inserted ${PAIRS} pairs in ${Date.now() - inserted} ms`);

    // --- time to first render: navigation to the first row on screen
    const t0 = Date.now();
    await page.goto(`${url}/projects/${project.id}/mailboxes`);
    await page.locator('[role=row][data-pair-id]').first().waitFor();
    const firstRenderMs = Date.now() - t0;
    assert.equal(await page.locator('.filters__count').innerText(), '5,000 mailboxes', 'the table knows all 5,000 rows');
    const rowsAtStart = await page.locator('[role=row][data-pair-id]').count();
    assert.ok(rowsAtStart > 10 && rowsAtStart < 100, `virtualised: ${rowsAtStart} rows in the DOM`);
    await screenshot(page, 'mailboxes-5000');

    // --- scroll to the end in big steps, one step per animation frame
    const scroll = await page.locator('[data-testid=mailbox-scroller]').evaluate(async (el): Promise<ScrollResult> => {
      const raf = () => new Promise<number>((r) => (globalThis as unknown as { requestAnimationFrame(cb: (t: number) => void): void }).requestAnimationFrame(r));
      const box = el as unknown as { scrollTop: number; scrollHeight: number; clientHeight: number; querySelectorAll(s: string): ArrayLike<unknown> };
      const frames: number[] = [];
      let last = await raf();
      const start = last;
      while (box.scrollTop + box.clientHeight < box.scrollHeight - 1) {
        box.scrollTop += 1800;
        const now = await raf();
        frames.push(now - last);
        last = now;
      }
      return {
        frames: frames.length, totalMs: last - start, maxFrameMs: Math.max(...frames),
        avgFrameMs: frames.reduce((a, b) => a + b, 0) / frames.length, rowsInDom: box.querySelectorAll('[role=row]').length,
      };
    });
    const t1 = Date.now();
    await page.locator(`[role=row][aria-rowindex="${PAIRS + 1}"][data-pair-id]`).waitFor();
    const lastRowsMs = Date.now() - t1;
    const lastText = await page.locator(`[role=row][aria-rowindex="${PAIRS + 1}"]`).innerText();
    assert.match(lastText, /user\d{5}@globex\.example/);

    // --- sort by the API (state, descending) and see the first row change
    const sortStart = Date.now();
    await page.getByRole('button', { name: 'State' }).click();
    await page.getByRole('button', { name: 'State' }).click();
    await page.locator('[role=columnheader][aria-sort=descending]').waitFor();
    await page.locator('[role=row][aria-rowindex="2"][data-state="running"]').waitFor();
    const sortMs = Date.now() - sortStart;

    const summary = `5,000-pair mailbox table: first render ${firstRenderMs} ms (navigation → first row); `
      + `scroll to the end ${scroll.totalMs.toFixed(0)} ms over ${scroll.frames} frames (avg ${scroll.avgFrameMs.toFixed(1)} ms, worst ${scroll.maxFrameMs.toFixed(1)} ms per frame, `
      + `${scroll.rowsInDom} rows in the DOM); last rows filled ${lastRowsMs} ms after the scroll; sort by state ${sortMs} ms`;
    t.diagnostic(summary);
    process.stdout.write(`${summary}\n`);
    assert.ok(firstRenderMs < 5000, `first render took ${firstRenderMs} ms`);
    assert.ok(scroll.maxFrameMs < 500, `a frame took ${scroll.maxFrameMs} ms while scrolling`);
    assert.ok(scroll.rowsInDom < 120, `rows in the DOM while scrolling: ${scroll.rowsInDom}`);

    // The API agrees on the count (the page's total is the server's).
    const api = await apiJson<{ total: number }>(context, url, `/api/projects/${project.id}/pairs?limit=1`);
    assert.equal(api.total, PAIRS);
  });
});
