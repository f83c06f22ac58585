/**
 * A self-hosted Dovecot target whose users live in a passwd-file: this provider REALLY creates target
 * accounts by adding lines to that file (and their home directories), and sets up the migration access
 * as a master user in Dovecot's master passwd-file (log in as `user*admin`). Dovecot re-reads a changed
 * passwd-file on the next login, but checks it at most once a second. It runs on the machine
 * (or a mount) where the files live. The account limit, when configured, is the licence count.
 */
import { randomBytes } from 'node:crypto';
import { access, chown, constants, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError, toAppError } from '../core/app-error.ts';
import { isValidPasswdUser, readPasswdFile, ssha512, updatePasswdFile } from './passwd-file.ts';
import type { AccountResult, CapacityCheck, TargetAccountSpec, TargetProvider } from './target-provider.ts';

/** Options of the Dovecot passwd-file provider. */
export interface DovecotPasswdProviderOptions {
  /** The passwd-file of Dovecot's passdb and userdb. */
  readonly usersFile: string;
  /** Dovecot's master-user passwd-file (passdb with `master = yes`); no migration access is managed without it. */
  readonly masterUsersFile?: string;
  /** The master user Cutover migrates as, and its password. */
  readonly migrationUser?: { readonly user: string; readonly password: string };
  /** Home directories are made as `<homeRoot>/<user>`. */
  readonly homeRoot: string;
  /** Owner of mail (Dovecot refuses uid 0). */
  readonly uid: number;
  readonly gid: number;
  /** Most accounts the server may have (licences); unlimited when absent. */
  readonly maxAccounts?: number;
  /** Mode of the written files (default 0o640: the hashes are not for every local user). */
  readonly fileMode?: number;
}

/** A provider that creates accounts in a Dovecot passwd-file. */
export function createDovecotPasswdProvider(options: DovecotPasswdProviderOptions): TargetProvider {
  const mode = options.fileMode ?? 0o640;
  const canChown = process.getuid?.() === 0;

  const accessFailed = (what: string, err: unknown): AppError =>
    new AppError('PROVIDER_ACCESS_FAILED', `cannot ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err, details: { usersFile: options.usersFile } });

  return {
    createsAccounts: true,
    kind: 'dovecot-passwd',
    async verifyAccess() {
      try {
        await access(dirname(options.usersFile), constants.W_OK);
        await access(options.homeRoot, constants.W_OK);
        if (options.masterUsersFile) await access(dirname(options.masterUsersFile), constants.W_OK);
      } catch (err) {
        throw accessFailed('write the Dovecot user database', err);
      }
    },
    async setupMigrationAccess() {
      const { masterUsersFile, migrationUser } = options;
      if (!masterUsersFile || !migrationUser) return;
      if (!isValidPasswdUser(migrationUser.user)) throw new AppError('PROVIDER_INVALID', `invalid master user name ${JSON.stringify(migrationUser.user)}`);
      await updatePasswdFile(masterUsersFile, mode, (entries) => {
        const others = entries.filter((e) => e.user !== migrationUser.user);
        return [...others, { user: migrationUser.user, password: ssha512(migrationUser.password), uid: '', gid: '', home: '', rest: '' }];
      }).catch((err: unknown) => {
        throw err instanceof AppError ? err : accessFailed('write the master user database', err);
      });
    },
    async removeMigrationAccess() {
      const { masterUsersFile, migrationUser } = options;
      if (!masterUsersFile || !migrationUser) return;
      await updatePasswdFile(masterUsersFile, mode, (entries) => (entries.some((e) => e.user === migrationUser.user) ? entries.filter((e) => e.user !== migrationUser.user) : null));
    },
    async checkCapacity(accounts): Promise<CapacityCheck> {
      const existing = new Set((await readPasswdFile(options.usersFile)).map((e) => e.user));
      const needed = accounts.filter((a) => !existing.has(a.user)).length;
      if (options.maxAccounts === undefined) return { known: false, available: null, needed, sufficient: true };
      const available = Math.max(0, options.maxAccounts - existing.size);
      return { known: true, available, needed, sufficient: available >= needed };
    },
    async ensureAccount(account: TargetAccountSpec): Promise<AccountResult> {
      const fail = (message: string, cause?: unknown): AccountResult => ({
        pairId: account.pairId, user: account.user, outcome: 'failed',
        error: new AppError('PROVIDER_ACCOUNT_FAILED', message, { cause, details: { pairId: account.pairId, user: account.user } }),
      });
      if (!isValidPasswdUser(account.user)) return fail(`invalid user name ${JSON.stringify(account.user)} for a passwd-file`);
      const home = join(options.homeRoot, account.user);
      try {
        let created = false;
        await updatePasswdFile(options.usersFile, mode, (entries) => {
          if (entries.some((e) => e.user === account.user)) return null;
          if (options.maxAccounts !== undefined && entries.length >= options.maxAccounts) {
            throw new AppError('PROVIDER_INSUFFICIENT_LICENCES', `the account limit (${options.maxAccounts}) is reached`, { details: { maxAccounts: options.maxAccounts } });
          }
          created = true;
          // Without a password of its own the account is reached through the master user only;
          // a random one keeps it closed until an admin sets a real one.
          const password = ssha512(account.password ?? randomBytes(24).toString('base64url'));
          return [...entries, { user: account.user, password, uid: String(options.uid), gid: String(options.gid), home, rest: ':' }];
        });
        // The home is made even for an existing line (a crash between the two steps heals on retry).
        await mkdir(home, { recursive: true, mode: 0o700 });
        if (canChown) await chown(home, options.uid, options.gid);
        return { pairId: account.pairId, user: account.user, outcome: created ? 'created' : 'exists' };
      } catch (err) {
        const e = toAppError(err);
        return fail(`cannot create target account ${account.user}: ${e.message}`, e);
      }
    },
  };
}
