/**
 * Verify findings: what a verify pass found missing or extra, one row per item (the proof of
 * completeness: a verify pass with no findings says every source message is on the target).
 */
import { toBigInt, toNumber, type Db } from './db.ts';
import { isRowId } from './endpoint-settings.repository.ts';

/** `missing_on_target`: the ledger says migrated, the target lacks it; `not_migrated`: a source message no ledger row accounts for; `extra_on_target`: a target message no ledger row accounts for. */
export type FindingKind = 'missing_on_target' | 'not_migrated' | 'extra_on_target';

/** What a verify pass records for one item. */
export interface VerifyFindingInput {
  readonly kind: FindingKind;
  readonly sourceFolder?: string | null;
  readonly uidValidity?: bigint | number | null;
  readonly uid?: number | null;
  readonly targetFolder?: string | null;
  readonly targetUid?: number | null;
  readonly subject?: string | null;
  readonly detail?: string | null;
}

/** A stored finding. */
export interface VerifyFindingRecord {
  readonly id: string;
  readonly passId: string;
  readonly pairId: string;
  readonly kind: FindingKind;
  readonly sourceFolder: string | null;
  readonly uidValidity: bigint | null;
  readonly uid: number | null;
  readonly targetFolder: string | null;
  readonly targetUid: number | null;
  readonly subject: string | null;
  readonly detail: string | null;
  readonly createdAt: Date;
}

interface FindingRow {
  id: string;
  pass_id: string;
  pair_id: string;
  kind: FindingKind;
  source_folder: string | null;
  uidvalidity: string | null;
  uid: string | null;
  target_folder: string | null;
  target_uid: string | null;
  subject: string | null;
  detail: string | null;
  created_at: Date;
}

function fromRow(row: FindingRow): VerifyFindingRecord {
  return {
    id: String(row.id),
    passId: String(row.pass_id),
    pairId: String(row.pair_id),
    kind: row.kind,
    sourceFolder: row.source_folder,
    uidValidity: toBigInt(row.uidvalidity),
    uid: toNumber(row.uid),
    targetFolder: row.target_folder,
    targetUid: toNumber(row.target_uid),
    subject: row.subject,
    detail: row.detail,
    createdAt: row.created_at,
  };
}

const CHUNK = 5000;

/** Records the findings of one verify pass (bulk, a JSON parameter per 5,000); returns how many. */
export async function insertFindings(db: Db, passId: string, pairId: string, findings: readonly VerifyFindingInput[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < findings.length; i += CHUNK) {
    const json = JSON.stringify(findings.slice(i, i + CHUNK).map((f) => ({
      kind: f.kind,
      source_folder: f.sourceFolder ?? null,
      uidvalidity: f.uidValidity === undefined || f.uidValidity === null ? null : f.uidValidity.toString(),
      uid: f.uid ?? null,
      target_folder: f.targetFolder ?? null,
      target_uid: f.targetUid ?? null,
      subject: f.subject ?? null,
      detail: f.detail ?? null,
    })));
    const { rowCount } = await db.query(
      `INSERT INTO verify_findings (pass_id, pair_id, kind, source_folder, uidvalidity, uid, target_folder, target_uid, subject, detail)
       SELECT $1, $2, x.kind, x.source_folder, x.uidvalidity, x.uid, x.target_folder, x.target_uid, x.subject, x.detail
         FROM jsonb_to_recordset($3::jsonb) AS x(kind text, source_folder text, uidvalidity bigint, uid bigint, target_folder text,
                                                 target_uid bigint, subject text, detail text)`,
      [passId, pairId, json],
    );
    n += rowCount ?? 0;
  }
  return n;
}

/**
 * The findings of a pair: of one pass when `passId` is given, else of its latest verify pass that
 * recorded any (earlier passes' findings are history). Ordered by kind, folder and UID.
 */
export async function listFindings(db: Db, pairId: string, passId?: string): Promise<VerifyFindingRecord[]> {
  if (!isRowId(pairId) || (passId !== undefined && !isRowId(passId))) return [];
  const { rows } = await db.query<FindingRow>(
    `SELECT * FROM verify_findings
      WHERE pair_id = $1
        AND pass_id = COALESCE($2::bigint, (SELECT max(pass_id) FROM verify_findings WHERE pair_id = $1))
      ORDER BY kind, source_folder NULLS LAST, uidvalidity, uid, target_folder, target_uid, id`,
    [pairId, passId ?? null],
  );
  return rows.map(fromRow);
}
