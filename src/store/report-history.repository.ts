/**
 * A project's migration over time, for the portal's report charts: items and bytes that reached the
 * target per time bucket (from the ledger's `migrated` rows and when they were written), and completion
 * per batch (pairs by state). The bucket width is chosen so a chart has at most ~120 bars.
 */
import { toNumberStrict, type Db } from './db.ts';
import { isRowId } from './endpoint-settings.repository.ts';

/** Items and bytes migrated in one bucket starting at `at`. */
export interface HistoryBucket {
  readonly at: Date;
  readonly items: number;
  readonly bytes: number;
}

/** Pairs of one batch (null: pairs without a batch) by state. */
export interface BatchCompletion {
  readonly batchId: string | null;
  readonly name: string | null;
  readonly isTest: boolean;
  readonly total: number;
  readonly byState: Readonly<Record<string, number>>;
}

/** Widths tried, shortest first. */
const BUCKET_SECONDS = [1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400];
const MAX_BUCKETS = 120;

/** The shortest width that keeps `spanSeconds` within MAX_BUCKETS buckets. */
export function bucketWidth(spanSeconds: number): number {
  return BUCKET_SECONDS.find((w) => spanSeconds / w <= MAX_BUCKETS) ?? BUCKET_SECONDS[BUCKET_SECONDS.length - 1] ?? 86400;
}

/** Items and bytes migrated over time for a project's pairs. */
export async function migrationHistory(db: Db, projectId: string): Promise<{ bucketSeconds: number; buckets: HistoryBucket[] }> {
  if (!isRowId(projectId)) return { bucketSeconds: 60, buckets: [] };
  const { rows: span } = await db.query<{ first: Date | null; last: Date | null }>(
    `SELECT min(li.updated_at) AS first, max(li.updated_at) AS last
       FROM ledger_items li JOIN pairs p ON p.id = li.pair_id
      WHERE p.project_id = $1 AND li.state = 'migrated'`,
    [projectId],
  );
  const first = span[0]?.first;
  const last = span[0]?.last;
  if (!first || !last) return { bucketSeconds: 60, buckets: [] };
  const width = bucketWidth((last.getTime() - first.getTime()) / 1000);
  const { rows } = await db.query<{ at: Date; items: string; bytes: string }>(
    `SELECT to_timestamp(floor(extract(epoch FROM li.updated_at) / $2) * $2) AS at, count(*) AS items, coalesce(sum(li.size), 0) AS bytes
       FROM ledger_items li JOIN pairs p ON p.id = li.pair_id
      WHERE p.project_id = $1 AND li.state = 'migrated'
      GROUP BY 1 ORDER BY 1`,
    [projectId, width],
  );
  return { bucketSeconds: width, buckets: rows.map((r) => ({ at: r.at, items: toNumberStrict(r.items), bytes: toNumberStrict(r.bytes) })) };
}

/** Every batch of a project (and the pairs without one) with its pairs by state. */
export async function batchCompletion(db: Db, projectId: string): Promise<BatchCompletion[]> {
  if (!isRowId(projectId)) return [];
  const { rows } = await db.query<{ batch_id: string | null; name: string | null; is_test: boolean | null; state: string | null; n: string }>(
    `SELECT b.id AS batch_id, b.name, b.is_test, p.state, count(p.id) AS n
       FROM batches b LEFT JOIN pairs p ON p.batch_id = b.id
      WHERE b.project_id = $1
      GROUP BY b.id, b.name, b.is_test, p.state
     UNION ALL
     SELECT NULL, NULL, NULL, p.state, count(*) FROM pairs p WHERE p.project_id = $1 AND p.batch_id IS NULL GROUP BY p.state
     ORDER BY 1 NULLS LAST`,
    [projectId],
  );
  const byBatch = new Map<string, { batchId: string | null; name: string | null; isTest: boolean; total: number; byState: Record<string, number> }>();
  for (const r of rows) {
    const key = r.batch_id === null ? '' : String(r.batch_id);
    let entry = byBatch.get(key);
    if (!entry) {
      entry = { batchId: r.batch_id === null ? null : String(r.batch_id), name: r.name, isTest: r.is_test ?? false, total: 0, byState: {} };
      byBatch.set(key, entry);
    }
    const n = toNumberStrict(r.n);
    if (r.state !== null && n > 0) {
      entry.byState[r.state] = (entry.byState[r.state] ?? 0) + n;
      entry.total += n;
    }
  }
  return [...byBatch.values()];
}
