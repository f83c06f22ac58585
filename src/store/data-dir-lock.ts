/**
 * `<dataDir>/cutover.lock`: the pid of the one cutover process that runs the embedded database of a data
 * folder. A lock whose process is gone (killed with SIGKILL, a power cut) is stale and taken over.
 */
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../core/app-error.ts';
import type { StoreLogger } from './db.ts';

/** A held data-folder lock. */
export interface DataDirLock {
  readonly file: string;
  /** The pid that held the lock before us when it was stale (its postgres may still run), else null. */
  readonly stalePid: number | null;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
  /** Synchronous `release` for a process 'exit' handler. */
  releaseSync(): void;
}

/** Lock files held by this process (a pid match alone could be a stale lock from an earlier life). */
const heldHere = new Set<string>();

/** The name of the lock file inside a data folder. */
export const LOCK_FILE_NAME = 'cutover.lock';

/** True when a process with this pid exists and is not a zombie (a zombie has exited, only its entry remains). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may hold spaces and parentheses, the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

async function readHolder(file: string): Promise<number | null | 'missing'> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

/**
 * Takes the lock of `dataDir` for this process. Throws DATA_DIR_LOCKED naming the pid when another live
 * process holds it. The file appears atomically with its content (written aside, then hard-linked), so a
 * reader never sees an empty lock.
 */
export async function acquireDataDirLock(dataDir: string, logger?: StoreLogger): Promise<DataDirLock> {
  const file = path.join(dataDir, LOCK_FILE_NAME);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${process.pid}\n`, { mode: 0o644 });
  let stalePid: number | null = null;
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await link(temp, file);
        heldHere.add(file);
        return makeLock(file, stalePid);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readHolder(file);
      if (holder === 'missing') continue;
      const live = holder === process.pid ? heldHere.has(file) : holder !== null && isProcessAlive(holder);
      if (live) {
        throw new AppError('DATA_DIR_LOCKED', `the data folder ${dataDir} is in use by cutover process ${holder}`, {
          details: { dataDir, pid: holder },
        });
      }
      // Stale: its process is gone (or it is our own pid from an earlier life, as pid 1 in a container).
      logger?.warn({ dataDir, stalePid: holder }, 'taking over a stale data folder lock');
      stalePid = holder;
      await unlink(file).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      });
    }
    throw new AppError('DATA_DIR_LOCKED', `could not take the lock of the data folder ${dataDir}`, { details: { dataDir } });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

function makeLock(file: string, stalePid: number | null): DataDirLock {
  const ours = (content: string): boolean => Number.parseInt(content.trim(), 10) === process.pid;
  return {
    file,
    stalePid,
    async release() {
      heldHere.delete(file);
      try {
        if (ours(await readFile(file, 'utf8'))) await unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
    releaseSync() {
      heldHere.delete(file);
      try {
        if (ours(readFileSync(file, 'utf8'))) unlinkSync(file);
      } catch {
        // best effort at exit
      }
    },
  };
}
