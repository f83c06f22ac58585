/**
 * What the step activities need to know about a project's target: its provider (from
 * `settings.provider`) and the target accounts its pairs need, passwords opened from the sealed columns.
 */
import type pg from 'pg';
import { toAppError } from '../../core/app-error.ts';
import { loadPairRef } from '../../projects/pair-endpoints.ts';
import { createDovecotPasswdProvider } from '../../providers/dovecot-passwd-provider.ts';
import { createManualProvider } from '../../providers/manual-provider.ts';
import { readProviderSettings } from '../../providers/provider-settings.ts';
import type { TargetAccountSpec, TargetProvider } from '../../providers/target-provider.ts';
import { getProjectFlow } from '../../store/project-flow.repository.ts';
import type { StoreLogger } from '../../store/db.ts';

/** Dovecot refuses mail owned by uid 0, so as root accounts belong to `nobody`. */
const defaultOwner = (): { uid: number; gid: number } => {
  const uid = process.getuid?.() ?? 65534;
  return uid === 0 ? { uid: 65534, gid: 65534 } : { uid, gid: process.getgid?.() ?? 65534 };
};

/** The project's provider. */
export async function providerFor(db: pg.Pool, secretKey: Buffer, projectId: string): Promise<TargetProvider> {
  const project = await getProjectFlow(db, projectId);
  const settings = readProviderSettings(project?.settings ?? {});
  if (settings.kind === 'manual') {
    return createManualProvider({ targetEndpoint: async (account) => (await loadPairRef(db, secretKey, account.pairId)).target });
  }
  const owner = defaultOwner();
  return createDovecotPasswdProvider({
    usersFile: settings.usersFile, homeRoot: settings.homeRoot, uid: settings.uid ?? owner.uid, gid: settings.gid ?? owner.gid,
    ...(settings.masterUsersFile === undefined ? {} : { masterUsersFile: settings.masterUsersFile }),
    ...(settings.maxAccounts === undefined ? {} : { maxAccounts: settings.maxAccounts }),
    ...(settings.fileMode === undefined ? {} : { fileMode: settings.fileMode }),
  });
}

/** The target accounts of the project's pairs (a pair without its own target password gets null). */
export async function targetAccounts(db: pg.Pool, secretKey: Buffer, projectId: string, logger?: StoreLogger): Promise<TargetAccountSpec[]> {
  const { rows } = await db.query<{ id: string; target_user: string; target_email: string | null }>(
    'SELECT id, target_user, target_email FROM pairs WHERE project_id = $1 ORDER BY id', [projectId],
  );
  const out: TargetAccountSpec[] = [];
  for (const r of rows) {
    let password: string | null = null;
    try {
      const auth = (await loadPairRef(db, secretKey, String(r.id))).target.auth;
      if (auth.kind === 'password') password = auth.password;
    } catch (err) {
      // Admin (master) access or missing credentials: the provider decides what it can do without.
      logger?.debug({ pairId: String(r.id), code: toAppError(err).code }, 'no target password for the pair');
    }
    out.push({ pairId: String(r.id), user: r.target_user, email: r.target_email, password });
  }
  return out;
}
