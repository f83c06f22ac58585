/** The API's objects as the portal reads them (see /openapi.json; only the fields the portal uses). */

export type Role = 'admin' | 'operator' | 'viewer';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

export interface Endpoint {
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: 'implicit' | 'starttls' | 'none';
  readonly authKind: 'password' | 'master' | 'oauth2';
  readonly maxConnections: number;
  /** COMPRESS=DEFLATE (RFC 4978): auto = only when the round trip is 10 ms or more, on = whenever offered, off = never. */
  readonly compress: 'auto' | 'on' | 'off';
}

export interface Project {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly sourceEndpointId: string | null;
  readonly targetEndpointId: string | null;
  readonly domains: readonly string[];
  readonly cutoverAt: string | null;
  readonly timeZone: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly paused: boolean;
  readonly pairCount?: number;
  /** When the project left draft (orchestrator); absent on servers that do not report it. */
  readonly placedAt?: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Batch {
  readonly id: string;
  readonly name: string;
  readonly isTest: boolean;
  readonly pairCount: number;
}

export type PairState = 'idle' | 'queued' | 'running' | 'paused' | 'stopped' | 'failed' | 'completed';

export interface Pair {
  readonly id: string;
  readonly batchId: string | null;
  readonly batchName: string | null;
  readonly sourceEmail: string | null;
  readonly targetEmail: string | null;
  readonly sourceUser: string;
  readonly targetUser: string;
  readonly state: string;
  readonly paused: boolean;
  readonly lastErrorCode: string | null;
  readonly lastErrorText: string | null;
  readonly lastPassAt: string | null;
  /** Items the ledger holds as failed now (retried by the next delta). */
  readonly failedItems?: number;
  /** Status of the latest pass, e.g. `completed_with_errors`. */
  readonly lastPassStatus?: string | null;
}

export interface PairPage {
  readonly pairs: readonly Pair[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export interface PassCounts {
  readonly folders: number;
  readonly copied: number;
  readonly alreadyThere: number;
  readonly skipped: number;
  readonly excluded: number;
  readonly failed: number;
  readonly bytes: number;
}

export interface Pass {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly counts: PassCounts;
  readonly worker: string | null;
  readonly errorCode: string | null;
  readonly errorText: string | null;
}

export interface FailedItem {
  readonly pairId: string;
  readonly folder: string;
  readonly uid: number;
  readonly subject: string | null;
  readonly date: string;
  readonly size: number;
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
  readonly attempts: number;
  readonly lastTriedAt: string;
}

export interface FailedItemPage {
  readonly items: readonly FailedItem[];
  readonly total: number;
}

export interface PairReport {
  readonly pairId: string;
  readonly state: string;
  readonly passes: number;
  readonly migrated: number;
  readonly excluded: number;
  readonly failed: number;
  readonly inDoubt: number;
  readonly bytes: number;
  readonly bytesPerSecond: number | null;
  readonly itemsPerSecond: number | null;
}

export interface ProjectReport {
  readonly projectId: string;
  readonly projectName: string;
  readonly generatedAt: string;
  readonly pairs: { readonly total: number; readonly paused: number; readonly byState: Readonly<Record<string, number>> };
  readonly items: { readonly migrated: number; readonly excluded: number; readonly failed: number; readonly inDoubt: number };
  readonly bytes: number;
  readonly passes: number;
  readonly throughput: { readonly windowSeconds: number; readonly bytesPerSecond: number; readonly itemsPerSecond: number };
  readonly progressPercent: number;
  readonly estimatedSecondsLeft: number | null;
  readonly estimatedCompletionAt: string | null;
}

export interface ReportHistory {
  readonly bucketSeconds: number;
  readonly buckets: ReadonlyArray<{ readonly at: string; readonly items: number; readonly bytes: number }>;
  readonly batches: ReadonlyArray<{ readonly batchId: string | null; readonly name: string | null; readonly isTest: boolean; readonly total: number; readonly byState: Readonly<Record<string, number>> }>;
}

export interface ImportError {
  readonly line: number;
  readonly reason: string;
  readonly field?: string;
  readonly message: string;
}

export interface ImportResult {
  readonly format: string | null;
  readonly rows: number;
  readonly errors: readonly ImportError[];
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly imported: boolean;
  readonly batchId: string | null;
}

/** Live: a project in the `projects` event. */
export interface ProjectLive {
  readonly id: string;
  readonly status: string;
  readonly paused: boolean;
  readonly cutoverAt: string | null;
  readonly updatedAt: string | null;
  readonly pairs: number;
  readonly byState: Readonly<Record<string, number>>;
  readonly openAlerts: number;
}

/** Live: a changed pair in the `pairs` event. */
export interface PairLive {
  readonly id: string;
  readonly state: string;
  readonly paused: boolean;
  readonly lastErrorCode: string | null;
  readonly lastErrorText: string | null;
  readonly lastPassAt: string | null;
  readonly failedItems?: number;
  readonly lastPassStatus?: string | null;
}

/** Live: the progress of a running pass. */
export interface PassProgress {
  readonly pairId: string;
  readonly kind: string;
  readonly percent: number | null;
  readonly itemsDone: number;
  readonly itemsPlanned: number | null;
  readonly bytesDone: number;
  readonly bytesPlanned: number | null;
}

/** Orchestrator (optional routes): a step with its state. */
export interface Step {
  readonly name: string;
  readonly status: string;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly nextRunAt: string | null;
  readonly lastErrorCode: string | null;
  readonly lastErrorText: string | null;
}

export interface StepLog {
  readonly at: string;
  readonly level: string;
  readonly attempt: number;
  readonly message: string;
}

export interface Alert {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly message: string;
  readonly raisedAt: string;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
}

/** The DNS panel of one domain (GET /api/projects/:id/dns). */
export interface DnsDomain {
  readonly domain: string;
  readonly publish: ReadonlyArray<{ readonly type: string; readonly name: string; readonly value: string; readonly when: string }>;
  readonly seen: {
    readonly txt: readonly string[];
    readonly txtVerified: boolean;
    readonly mx: ReadonlyArray<{ readonly exchange: string; readonly priority: number }>;
    readonly mxPointsToTarget: boolean;
    readonly mxTtlSeconds: number | null;
    readonly error: string | null;
  };
  readonly lastChecks: ReadonlyArray<{ readonly kind: string; readonly ok: boolean; readonly checkedAt: string }>;
  readonly ttlAdvice: { readonly status: string; readonly ttlSeconds: number | null; readonly recommendedTtlSeconds: number; readonly lowerBy: string | null } | null;
}

/** The cutover flow of a project (GET /api/projects/:id/flow). */
export interface Flow {
  readonly status: string;
  readonly heldFrom: string | null;
  readonly statusReason: string | null;
  readonly placedAt: string | null;
  readonly cutoverAt: string | null;
  /** The orchestrator's clock (a fake clock in test mode). */
  readonly now: string;
}
