/**
 * Which target provider a project uses: `settings.provider` in the project's settings (edited through
 * the API). `{ kind: 'manual' }` is the default: the accounts exist, each is checked by logging in.
 * `{ kind: 'dovecot-passwd', usersFile, homeRoot, … }` creates accounts in a Dovecot passwd-file on
 * this machine (or a mount). Validated on write (`providerSettingsProblems`) and on use.
 */
import { z } from 'zod';
import { AppError } from '../core/app-error.ts';

const dovecotPasswd = z.object({
  kind: z.literal('dovecot-passwd'),
  usersFile: z.string().min(1),
  homeRoot: z.string().min(1),
  masterUsersFile: z.string().min(1).optional(),
  uid: z.number().int().min(0).optional(),
  gid: z.number().int().min(0).optional(),
  maxAccounts: z.number().int().min(0).optional(),
  fileMode: z.number().int().min(0).max(0o777).optional(),
});
const providerSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('manual') }), dovecotPasswd]);

/** A project's provider settings. */
export type ProviderSettings = z.infer<typeof providerSchema>;

/** Problems of `settings.provider` (empty when absent or valid), as `provider.key: message`. */
export function providerSettingsProblems(settings: Readonly<Record<string, unknown>>): string[] {
  if (!Object.hasOwn(settings, 'provider') || settings['provider'] === null) return [];
  const parsed = providerSchema.safeParse(settings['provider']);
  return parsed.success ? [] : parsed.error.issues.map((i) => `provider${i.path.length > 0 ? `.${i.path.join('.')}` : ''}: ${i.message}`);
}

/** The provider settings of a project (manual when unset); PROVIDER_INVALID when stored ones are wrong. */
export function readProviderSettings(settings: Readonly<Record<string, unknown>>): ProviderSettings {
  const raw = settings['provider'];
  if (raw === undefined || raw === null) return { kind: 'manual' };
  const parsed = providerSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('PROVIDER_INVALID', `invalid provider settings: ${providerSettingsProblems(settings).join('; ')}`, { details: { problems: providerSettingsProblems(settings).join('; ') } });
  }
  return parsed.data;
}
