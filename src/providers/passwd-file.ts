/**
 * Dovecot passwd-file user databases (https://doc.dovecot.org/configuration_manual/authentication/passwd_file/):
 * one `user:password:uid:gid:(gecos):home:(shell):extra` line per account. Parsing and formatting are
 * pure; `updatePasswdFile` rewrites a file atomically (temp file + rename) under a lock file, so Dovecot
 * (which re-reads the file when it changes) never sees half a file and two writers never lose a line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { AppError } from '../core/app-error.ts';

/** One line of a passwd-file. */
export interface PasswdEntry {
  readonly user: string;
  /** `{SCHEME}…` */
  readonly password: string;
  readonly uid: string;
  readonly gid: string;
  readonly home: string;
  /** Everything after the home field, kept as it was. */
  readonly rest: string;
}

/** A user name Dovecot's passwd-file accepts (no separators, no whitespace). */
export function isValidPasswdUser(user: string): boolean {
  return /^[^\s:]+$/.test(user) && user.length <= 255;
}

/** `{SSHA512}` hash (salted SHA-512, base64 of digest + salt), a scheme Dovecot verifies natively. */
export function ssha512(password: string, salt: Buffer = randomBytes(8)): string {
  const digest = createHash('sha512').update(password, 'utf8').update(salt).digest();
  return `{SSHA512}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** Parses a passwd-file; comments and empty lines are dropped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    out.push({ user: f[0] ?? '', password: f[1] ?? '', uid: f[2] ?? '', gid: f[3] ?? '', home: f[5] ?? '', rest: f.slice(6).join(':') });
  }
  return out;
}

/** Formats entries as a passwd-file (one line each, gecos empty). */
export function formatPasswd(entries: readonly PasswdEntry[]): string {
  return entries.map((e) => `${e.user}:${e.password}:${e.uid}:${e.gid}::${e.home}:${e.rest}`).join('\n') + (entries.length > 0 ? '\n' : '');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      // A lock older than 30 s belongs to a writer that died.
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 30_000) await rm(lock, { force: true });
      else if (Date.now() > deadline) throw new AppError('PROVIDER_ACCESS_FAILED', `the user database ${path} stays locked (${lock})`, { retry: 'transient', details: { path } });
      else await sleep(20);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Reads the file (missing = empty), lets `change` return the new entries (or null for "no change"),
 * and writes them atomically. Returns what `change` returned.
 */
export async function updatePasswdFile(path: string, mode: number, change: (entries: PasswdEntry[]) => PasswdEntry[] | null): Promise<PasswdEntry[] | null> {
  return withLock(path, async () => {
    const text = await readFile(path, 'utf8').catch((err: unknown) => {
      if ((err as { code?: string }).code === 'ENOENT') return '';
      throw err;
    });
    const next = change(parsePasswd(text));
    if (next === null) return null;
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, formatPasswd(next), { mode });
    await rename(tmp, path);
    return next;
  });
}

/** The entries of a passwd-file (missing = none). */
export async function readPasswdFile(path: string): Promise<PasswdEntry[]> {
  try {
    return parsePasswd(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
}
