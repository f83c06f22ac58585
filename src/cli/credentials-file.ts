/**
 * Where `cutover login` keeps what it got from a server, so later commands need no --token:
 * `$CUTOVER_CREDENTIALS`, else `$XDG_CONFIG_HOME/cutover/credentials.json`, else
 * `~/.config/cutover/credentials.json`. One entry per server URL; the file is created 0600 and
 * refused when others can read it (it holds a secret).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../core/app-error.ts';

/** What is stored for one server: an API token (admins) or a login session cookie (others). */
export type StoredCredential =
  | { readonly kind: 'token'; readonly token: string; readonly email: string }
  | { readonly kind: 'session'; readonly cookie: string; readonly email: string; readonly expiresAt: string | null };

type CredentialsFile = Record<string, StoredCredential>;

/** The path of the credentials file. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env['CUTOVER_CREDENTIALS']) return env['CUTOVER_CREDENTIALS'];
  const base = env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(base, 'cutover', 'credentials.json');
}

function read(path: string): CredentialsFile {
  if (!existsSync(path)) return {};
  // A secret others can read is a leak already; say so rather than use it.
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new AppError('CONFIG_INVALID', `${path} is readable by other users; run \`chmod 600 ${path}\` or \`cutover logout\`.`, { details: { path } });
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CredentialsFile;
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${path} is not valid JSON; delete it and log in again.`, { cause: err, details: { path } });
  }
}

/** The stored credential for a server URL, if any. */
export function loadCredential(url: string, env: NodeJS.ProcessEnv = process.env): StoredCredential | null {
  return read(credentialsPath(env))[url] ?? null;
}

/** Stores (or with null, removes) the credential for a server URL; writes atomically with mode 0600. */
export function saveCredential(url: string, credential: StoredCredential | null, env: NodeJS.ProcessEnv = process.env): string {
  const path = credentialsPath(env);
  const all = read(path);
  if (credential) all[url] = credential;
  else delete all[url];
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return path;
}
