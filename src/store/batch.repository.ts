/**
 * Batches: named groups of a project's mailbox pairs (usually one per CSV file). At most one batch of
 * a project is its *test batch*, migrated first to validate the setup (unique index in 0002_projects.sql).
 */
import { AppError } from '../core/app-error.ts';
import { toNumberStrict, type Db } from './db.ts';
import { isRowId } from './endpoint-settings.repository.ts';

/** A stored batch with its number of pairs. */
export interface Batch {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly isTest: boolean;
  readonly createdAt: Date;
  readonly pairCount: number;
}

interface BatchRow {
  id: string;
  project_id: string;
  name: string;
  is_test: boolean;
  created_at: Date;
  pair_count: string;
}

function fromRow(row: BatchRow): Batch {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    name: row.name,
    isTest: row.is_test,
    createdAt: row.created_at,
    pairCount: toNumberStrict(row.pair_count),
  };
}

/** The name of the project's test batch other than `exceptName`, or null. */
async function otherTestBatch(db: Db, projectId: string, exceptName: string): Promise<string | null> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM batches WHERE project_id = $1 AND is_test AND name <> $2', [projectId, exceptName]);
  return rows[0]?.name ?? null;
}

/**
 * Finds the batch `name` of the project, creating it when missing. `isTest` true marks it as the test
 * batch (PROJECT_CONFLICT when another batch is the test batch already); false leaves a stored mark as
 * it is, so that importing more pairs into the test batch keeps it the test batch.
 */
export async function upsertBatch(db: Db, projectId: string, name: string, isTest: boolean): Promise<Batch> {
  const batchName = name.trim();
  if (batchName === '') throw new AppError('PROJECT_INVALID', 'invalid batch: name: required');
  if (!isRowId(projectId)) throw new AppError('PROJECT_NOT_FOUND', `no project ${projectId}`, { details: { projectId } });
  if (isTest) {
    const other = await otherTestBatch(db, projectId, batchName);
    if (other !== null) {
      throw new AppError('PROJECT_CONFLICT', `the project has a test batch already ("${other}"); a project has one test batch`, { details: { testBatch: other } });
    }
  }
  try {
    const { rows } = await db.query<BatchRow>(
      `INSERT INTO batches (project_id, name, is_test) VALUES ($1, $2, $3)
       ON CONFLICT (project_id, name) DO UPDATE SET is_test = batches.is_test OR EXCLUDED.is_test
       RETURNING *, (SELECT count(*) FROM pairs WHERE pairs.batch_id = batches.id) AS pair_count`,
      [projectId, batchName, isTest],
    );
    return fromRow(rows[0] as BatchRow);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '23503') throw new AppError('PROJECT_NOT_FOUND', `no project ${projectId}`, { cause: err, details: { projectId } });
    if (code === '23505') throw new AppError('PROJECT_CONFLICT', 'the project has a test batch already; a project has one test batch', { cause: err });
    throw err;
  }
}

/** The batches of a project with their pair counts, test batch first, then by name. */
export async function listBatches(db: Db, projectId: string): Promise<Batch[]> {
  if (!isRowId(projectId)) return [];
  const { rows } = await db.query<BatchRow>(
    `SELECT b.*, count(p.id) AS pair_count
       FROM batches b LEFT JOIN pairs p ON p.batch_id = b.id
      WHERE b.project_id = $1
      GROUP BY b.id
      ORDER BY b.is_test DESC, b.name, b.id`,
    [projectId],
  );
  return rows.map(fromRow);
}
