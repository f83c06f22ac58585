/**
 * Target providers: how target accounts are made and how Cutover gets administrative (migration)
 * access to them (DESIGN.md "Providers"). A provider answers what it can tell: a self-hosted server
 * knows its account limit, a `manual` target knows nothing but whether each account lets us log in.
 */
import type { AppError } from '../core/app-error.ts';

/** One target account a mailbox pair needs. */
export interface TargetAccountSpec {
  readonly pairId: string;
  /** Login name on the target. */
  readonly user: string;
  readonly email: string | null;
  /** The account's password when the project has one (CSV import); null with admin (master) access. */
  readonly password: string | null;
}

/** What happened to one account. Per-account failures are results, never thrown. */
export type AccountResult =
  | { readonly pairId: string; readonly user: string; readonly outcome: 'created' | 'exists' }
  | { readonly pairId: string; readonly user: string; readonly outcome: 'failed'; readonly error: AppError };

/** Licences / account slots, where the provider can tell. */
export interface CapacityCheck {
  /** False when the provider cannot tell (then `sufficient` is true: nothing to block on). */
  readonly known: boolean;
  /** Free slots, when known. */
  readonly available: number | null;
  readonly needed: number;
  readonly sufficient: boolean;
}

/** The provider contract (contract tests: test/integration/providers-*.int.test.ts). */
export interface TargetProvider {
  /** `manual`, `dovecot-passwd`, … */
  readonly kind: string;
  /** True when `ensureAccount` creates missing accounts; false when it only checks them (manual). */
  readonly createsAccounts: boolean;
  /** Can Cutover administer the target at all? Throws PROVIDER_ACCESS_FAILED when not. */
  verifyAccess(): Promise<void>;
  /** Sets up the migration (admin / impersonation) access; idempotent. */
  setupMigrationAccess(): Promise<void>;
  /** Whether `accounts` fit (licences, account limit). */
  checkCapacity(accounts: readonly TargetAccountSpec[]): Promise<CapacityCheck>;
  /** Makes sure the account exists (creating it where the provider can); idempotent. */
  ensureAccount(account: TargetAccountSpec): Promise<AccountResult>;
  /** Removes the migration access at completion; idempotent. */
  removeMigrationAccess(): Promise<void>;
}
