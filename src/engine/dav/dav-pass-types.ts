/**
 * Inputs and outputs of a DAV pass: one run of the engine over one calendar or address-book pair
 * (DESIGN.md "pass"). Options are data; dependencies (database, how to open a session, clock, logger)
 * are injected, as for mail passes.
 */
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppError } from '../../core/app-error.ts';
import type { Clock } from '../../core/clock.ts';
import type { PassKind, PassStatus } from '../../core/ledger.ts';
import type { DavEndpoint, DavKind, DavSession } from '../../connectors/dav/types.ts';
import type { EventWindow } from './event-window.ts';
import type { DomainRewrite } from './rewrite-addresses.ts';

/** One DAV pair: a source account's calendars (or address books) copied to a target account. */
export interface DavPairRef {
  readonly id: string;
  readonly kind: DavKind;
  readonly source: DavEndpoint;
  readonly target: DavEndpoint;
}

/** What a DAV pass does. */
export interface DavPassOptions {
  readonly kind: PassKind;
  /** Plan only: nothing written to the target or the ledger. */
  readonly dryRun: boolean;
  /** Name of this process in pass records (host:pid). */
  readonly worker: string;
  /** Events outside this window are recorded `excluded` (calendars only). */
  readonly eventWindow: EventWindow | null;
  /** Address rewriting when the domain changes (organizer, attendees, vCard emails). */
  readonly rewrites: readonly DomainRewrite[];
  /** Source collection (last segment or display name) → target collection segment. */
  readonly collectionRules: ReadonlyMap<string, string>;
  /** Items read and written per batch (bounds memory; one ledger round trip per batch). */
  readonly batchItems: number;
}

/** Progress of a DAV pass, for a progress bar. */
export type DavProgressEvent =
  | { readonly type: 'collection-planned'; readonly collection: string; readonly toCopy: number }
  | { readonly type: 'copied'; readonly collection: string; readonly count: number };

/** Injected dependencies. */
export interface DavPassDeps {
  readonly pool: Pool;
  readonly openSession: (endpoint: DavEndpoint, kind: DavKind) => DavSession;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: DavProgressEvent) => void;
}

/** Per source collection: what the pass did. */
export interface DavCollectionReport {
  readonly source: string;
  target: string;
  /** Why it was opened: `new`, `changes`, `pending`, `full`, `token-expired`, `filters-changed`. */
  readonly reason: string;
  /** How changes were found: `sync-collection` (RFC 6578) or `etag` (PROPFIND listing). */
  method: 'sync-collection' | 'etag' | null;
  copied: number;
  updated: number;
  alreadyThere: number;
  skipped: number;
  excluded: number;
  failed: number;
  bytes: number;
  error: AppError | null;
}

/** A new, empty report. */
export function newCollectionReport(source: string, target: string, reason: string): DavCollectionReport {
  return { source, target, reason, method: null, copied: 0, updated: 0, alreadyThere: 0, skipped: 0, excluded: 0, failed: 0, bytes: 0, error: null };
}

/** Totals of a DAV pass (stored in `passes.counts`). */
export interface DavPassCounts {
  collections: number;
  copied: number;
  updated: number;
  alreadyThere: number;
  skipped: number;
  excluded: number;
  failed: number;
  bytes: number;
}

/** The outcome of a DAV pass. */
export interface DavPassOutcome {
  readonly passId: string | null;
  readonly kind: DavKind;
  readonly status: PassStatus;
  readonly counts: DavPassCounts;
  readonly collections: readonly DavCollectionReport[];
  readonly error: AppError | null;
  readonly warnings: readonly string[];
  readonly durationMs: number;
  readonly dryRun: boolean;
}
