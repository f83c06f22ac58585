/**
 * The `manual` provider: the target accounts were made by hand (or by another tool). It cannot create
 * anything or count licences; it checks each account by logging in to it with the IMAP connector and
 * reports those that fail (wrong password, missing account, no master rights).
 */
import { AppError, toAppError } from '../core/app-error.ts';
import type { ImapEndpoint } from '../core/endpoint.ts';
import type { ImapSession } from '../connectors/imap/types.ts';
import { openImapSession } from '../connectors/imap/imap-session.ts';
import type { AccountResult, CapacityCheck, TargetAccountSpec, TargetProvider } from './target-provider.ts';

/** Options of the manual provider. */
export interface ManualProviderOptions {
  /** The endpoint (with credentials) to log in to the target account of a pair (e.g. from loadPairRef). */
  readonly targetEndpoint: (account: TargetAccountSpec) => Promise<ImapEndpoint>;
  /** Opens a session; defaults to the IMAP connector (tests may pass a capped or proxied opener). */
  readonly openSession?: (endpoint: ImapEndpoint) => Promise<ImapSession>;
}

/** A provider for targets whose accounts exist already. */
export function createManualProvider(options: ManualProviderOptions): TargetProvider {
  const open = options.openSession ?? ((endpoint: ImapEndpoint) => openImapSession(endpoint, { connectionName: 'provider-check' }));
  return {
    createsAccounts: false,
    kind: 'manual',
    verifyAccess: () => Promise.resolve(),
    setupMigrationAccess: () => Promise.resolve(),
    removeMigrationAccess: () => Promise.resolve(),
    checkCapacity(accounts): Promise<CapacityCheck> {
      return Promise.resolve({ known: false, available: null, needed: accounts.length, sufficient: true });
    },
    async ensureAccount(account): Promise<AccountResult> {
      let session: ImapSession | undefined;
      try {
        session = await open(await options.targetEndpoint(account));
        return { pairId: account.pairId, user: account.user, outcome: 'exists' };
      } catch (err) {
        const cause = toAppError(err);
        const error = new AppError('PROVIDER_ACCOUNT_FAILED', `cannot log in to target account ${account.user}: ${cause.message}`, {
          cause, details: { pairId: account.pairId, user: account.user, code: cause.code },
        });
        return { pairId: account.pairId, user: account.user, outcome: 'failed', error };
      } finally {
        await session?.close();
      }
    },
  };
}
