/**
 * What the portal's browser tests run against: a real `cutover serve` (spawned like a user would,
 * with the built portal), its own PostgreSQL database, and Debian's Chromium driven by playwright-core.
 * The portal must be built first (`npm run build:web`; `npm run test:e2e` does it).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { collect, spawnCli, type CliResult } from '../helpers/run-cli.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
/** Where the tests save the screenshots the README shows. */
export const SCREENSHOTS = join(repoRoot, 'docs/screenshots');
/** The bootstrap admin of every e2e server. */
export const ADMIN = { email: 'admin@cutover.test', password: 'portal-admin-password' };

/** Debian's Chromium; never a browser downloaded by a tool. */
const CHROMIUM = process.env['CUTOVER_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

/** Polls `fn` until it returns something truthy. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A running `cutover serve`. */
export interface ServeProcess {
  readonly url: string;
  readonly database: TestDatabase;
  output(): string;
  stop(): Promise<CliResult>;
}

/** Spawns `cutover serve` on a fresh database with a fixed secret key and the bootstrap admin. */
export async function startServe(name: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  assert.ok(existsSync(join(repoRoot, 'web/dist/index.html')), 'the portal is not built: run `npm run build:web` first');
  const database = await testDatabase(name);
  const dataDir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
  const child: ChildProcess = spawnCli(['serve', '--port', '0', '--data-dir', dataDir], {
    DATABASE_URL: database.url,
    CUTOVER_SECRET_KEY: randomBytes(32).toString('base64'),
    CUTOVER_ADMIN_EMAIL: ADMIN.email,
    CUTOVER_ADMIN_PASSWORD: ADMIN.password,
    CUTOVER_LOG_LEVEL: 'warn',
    CUTOVER_WORKER_CONCURRENCY: '3',
    CUTOVER_SMTP_FROM: 'cutover@portal-e2e.example',
    ...env,
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const done = collect(child);
  const url = await waitFor('serve to listen', () => {
    if (child.exitCode !== null) throw new Error(`serve exited:\n${out}`);
    return /Cutover is running at (http:\/\/\S+)/.exec(out)?.[1];
  }, 60_000);
  return {
    url,
    database,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const result = await done;
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}

/** A browser with one page at the given viewport. */
export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** Launches Debian's Chromium headless and opens a page. */
export async function openBrowser(options: { width?: number; height?: number } = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 860 }, acceptDownloads: true });
  const page = await context.newPage();
  // Errors in the page fail nothing by themselves, but they explain a failure: show them.
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.stack ?? err.message}\n`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') process.stderr.write(`[page console] ${msg.text()}\n`);
  });
  return { browser, context, page, close: () => browser.close() };
}

/** Logs in through the login form. */
export async function logIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
}

/** Saves a screenshot into docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}

/** Writes a text file in a fresh temp dir (a CSV to upload). */
export function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-file-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** JSON from the API with the session cookie of a logged-in context. */
export async function apiJson<T>(context: BrowserContext, url: string, path: string): Promise<T> {
  const res = await context.request.get(`${url}${path}`);
  assert.ok(res.ok(), `${path}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}
