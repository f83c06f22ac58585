/** Mailbox pairs: one source account copied to one target account. */
import type { Db } from './db.ts';

/** What `upsertPair` writes. */
export interface PairInput {
  readonly sourceEndpointId: string;
  readonly targetEndpointId: string;
  readonly sourceUser: string;
  readonly targetUser: string;
}

/** A stored pair. */
export interface PairRecord extends PairInput {
  readonly id: string;
  readonly state: string;
  readonly createdAt: Date;
}

interface PairRow {
  id: string;
  source_endpoint_id: string;
  target_endpoint_id: string;
  source_user: string;
  target_user: string;
  state: string;
  created_at: Date;
}

/** Inserts the pair or finds the existing one with the same endpoints and users; returns its id. */
export async function upsertPair(db: Db, input: PairInput): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO pairs (source_endpoint_id, target_endpoint_id, source_user, target_user)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (source_endpoint_id, source_user, target_endpoint_id, target_user)
       DO UPDATE SET source_user = EXCLUDED.source_user -- no change; makes RETURNING give the existing row
     RETURNING id`,
    [input.sourceEndpointId, input.targetEndpointId, input.sourceUser, input.targetUser],
  );
  return String(rows[0]?.id);
}

/** The pair with this id, or null. */
export async function getPair(db: Db, id: string): Promise<PairRecord | null> {
  const { rows } = await db.query<PairRow>('SELECT * FROM pairs WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) return null;
  return {
    id: String(row.id),
    sourceEndpointId: String(row.source_endpoint_id),
    targetEndpointId: String(row.target_endpoint_id),
    sourceUser: row.source_user,
    targetUser: row.target_user,
    state: row.state,
    createdAt: row.created_at,
  };
}
