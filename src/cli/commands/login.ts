/**
 * `cutover login` / `cutover logout`: sign in to a Cutover server once, so that `cutover project …`,
 * `cutover pair …` and `cutover endpoint …` need no --token. An admin gets a new API token (named
 * after this machine); other roles keep the login session (12 h). Both are stored 0600 in the
 * credentials file, never printed.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { AppError, toAppError } from '../../core/app-error.ts';
import { DEFAULT_API_URL, errorFromResponse, SESSION_COOKIE_NAME } from '../api-client.ts';
import { saveCredential, loadCredential } from '../credentials-file.ts';
import { exitCodeForError } from '../exit-codes.ts';

interface LoginFlags {
  url?: string;
  email?: string;
  passwordFile?: string;
}

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new AppError('USAGE_INVALID', 'no terminal to ask for the password: use --password-file or CUTOVER_PASSWORD');
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  process.stderr.write(question);
  muted = true;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

async function password(flags: LoginFlags): Promise<string> {
  if (flags.passwordFile) {
    const lines = readFileSync(flags.passwordFile, 'utf8').split(/\r?\n/);
    // The first line, or the `password:` line of the data folder's initial-admin.txt.
    const labelled = lines.find((line) => line.startsWith('password: '));
    return labelled ? labelled.slice('password: '.length) : (lines[0] ?? '');
  }
  return process.env['CUTOVER_PASSWORD'] ?? promptHidden('Password: ');
}

async function call(url: string, path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url + path, init);
  } catch (err) {
    throw new AppError('API_UNREACHABLE', `cannot reach the Cutover server at ${url}: ${(err as Error).message}`, { cause: err });
  }
}

async function json<T>(response: Response): Promise<T> {
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) throw errorFromResponse(response.status, body);
  return body as T;
}

async function login(flags: LoginFlags): Promise<string> {
  const url = (flags.url ?? process.env['CUTOVER_URL'] ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const email = flags.email ?? process.env['CUTOVER_EMAIL'];
  if (!email) throw new AppError('USAGE_INVALID', 'cutover login needs --email (or CUTOVER_EMAIL)');
  const response = await call(url, '/api/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: await password(flags) }),
  });
  await json(response);
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith(`${SESSION_COOKIE_NAME}=`));
  if (!cookie) throw new AppError('API_UNAUTHENTICATED', 'the server accepted the login but set no session');
  const session = cookie.slice(SESSION_COOKIE_NAME.length + 1);
  const headers = { cookie, 'content-type': 'application/json' };
  const me = await json<{ role?: string; email?: string }>(await call(url, '/api/auth/me', { headers }));
  if (me.role === 'admin') {
    const created = await json<{ token: string }>(await call(url, '/api/tokens', { method: 'POST', headers, body: JSON.stringify({ name: `cli ${hostname()}` }) }));
    await call(url, '/api/auth/logout', { method: 'POST', headers, body: '{}' });
    const path = saveCredential(url, { kind: 'token', token: created.token, email });
    return `Logged in to ${url} as ${email} (admin): an API token is stored in ${path}.`;
  }
  const path = saveCredential(url, { kind: 'session', cookie: session, email, expiresAt: null });
  return `Logged in to ${url} as ${email} (${me.role ?? 'user'}): the session (12 h) is stored in ${path}.`;
}

async function logout(flags: LoginFlags): Promise<string> {
  const url = (flags.url ?? process.env['CUTOVER_URL'] ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const stored = loadCredential(url);
  if (stored?.kind === 'session') {
    await call(url, '/api/auth/logout', { method: 'POST', headers: { cookie: `${SESSION_COOKIE_NAME}=${stored.cookie}`, 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
  }
  const path = saveCredential(url, null);
  return stored
    ? `Logged out of ${url}; removed from ${path}.${stored.kind === 'token' ? ' The API token still exists on the server: an admin can revoke it (DELETE /api/tokens/:id).' : ''}`
    : `Not logged in to ${url}.`;
}

/** Registers `login` and `logout`. */
export function registerLogin(program: Command): void {
  const run = async (work: () => Promise<string>): Promise<void> => {
    try {
      process.stdout.write(`${await work()}\n`);
    } catch (err) {
      const error = toAppError(err);
      process.stderr.write(`${error.code}: ${error.message}\n  ${error.hint}\n`);
      process.exitCode = exitCodeForError(error);
    }
  };
  program.command('login')
    .description('Sign in to a Cutover server and remember it for the other commands')
    .option('--url <url>', 'Cutover server (default $CUTOVER_URL or http://127.0.0.1:8080)')
    .option('--email <email>', 'your user (default $CUTOVER_EMAIL)')
    .option('--password-file <file>', 'read the password from this file (default $CUTOVER_PASSWORD, else asked)')
    .action(async (flags: LoginFlags) => run(() => login(flags)));
  program.command('logout')
    .description('Forget the stored credential of a Cutover server')
    .option('--url <url>', 'Cutover server (default $CUTOVER_URL or http://127.0.0.1:8080)')
    .action(async (flags: LoginFlags) => run(() => logout(flags)));
}
