/**
 * Endpoints with the settings projects manage (name, TLS CA, master login method, compression), next to the plain
 * upsert of endpoint.repository.ts that `cutover sync` uses. The sealed secret is read only by the
 * services that need it (projects/pair-endpoints.ts); nothing here opens it.
 */
import type { CompressMode, TlsMode } from '../core/endpoint.ts';
import { toNumberStrict, type Db } from './db.ts';
import type { EndpointAuthKind, EndpointProtocol } from './endpoint.repository.ts';

/** How an admin (master) user acts as another user (see core/endpoint.ts ImapAuth). */
export type MasterMethod = 'authzid' | 'separator';

/** The columns of one endpoint row, with the secret still sealed. */
export interface EndpointSettingsRecord {
  readonly id: string;
  readonly protocol: EndpointProtocol;
  /** CalDAV/CardDAV: where discovery starts (root, context path or home set); null for IMAP. */
  readonly url: string | null;
  readonly name: string | null;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  readonly tlsVerify: boolean;
  readonly tlsCa: string | null;
  readonly authKind: EndpointAuthKind;
  readonly adminUser: string | null;
  readonly masterMethod: MasterMethod | null;
  readonly masterSeparator: string | null;
  readonly secretSealed: Buffer | null;
  readonly maxConnections: number;
  /** COMPRESS=DEFLATE (RFC 4978) for IMAP; always `auto` for CalDAV/CardDAV. */
  readonly compress: CompressMode;
  readonly createdAt: Date;
}

/** What `insertEndpointSettings` and `updateEndpointSettings` write (the secret sealed by the caller). */
export type EndpointSettingsInput = Omit<EndpointSettingsRecord, 'id' | 'createdAt'>;

/** A row as pg returns it. */
export interface EndpointSettingsRow {
  id: string;
  protocol: EndpointProtocol;
  url: string | null;
  name: string | null;
  host: string;
  port: number;
  tls_mode: TlsMode;
  tls_verify: boolean;
  tls_ca: string | null;
  auth_kind: EndpointAuthKind;
  admin_user: string | null;
  master_method: MasterMethod | null;
  master_separator: string | null;
  secret_sealed: Buffer | null;
  max_connections: number;
  compress_mode: CompressMode;
  created_at: Date;
}

/** The endpoint columns to select (prefix with a table alias when joining). */
export const ENDPOINT_SETTINGS_COLUMNS = [
  'id', 'protocol', 'url', 'name', 'host', 'port', 'tls_mode', 'tls_verify', 'tls_ca', 'auth_kind', 'admin_user', 'master_method',
  'master_separator', 'secret_sealed', 'max_connections', 'compress_mode', 'created_at',
] as const;

/** Maps a row (from this table or an aliased join) to a record. */
export function endpointSettingsFromRow(row: EndpointSettingsRow): EndpointSettingsRecord {
  return {
    id: String(row.id),
    protocol: row.protocol,
    url: row.url,
    name: row.name,
    host: row.host,
    port: toNumberStrict(row.port),
    tls: row.tls_mode,
    tlsVerify: row.tls_verify,
    tlsCa: row.tls_ca,
    authKind: row.auth_kind,
    adminUser: row.admin_user,
    masterMethod: row.master_method,
    masterSeparator: row.master_separator,
    secretSealed: row.secret_sealed,
    maxConnections: toNumberStrict(row.max_connections),
    compress: row.compress_mode,
    createdAt: row.created_at,
  };
}

/** True when `id` can be a bigserial id (so a malformed id reads as "not found", not as a SQL error). */
export function isRowId(id: string): boolean {
  return /^[1-9][0-9]{0,17}$/.test(id);
}

function values(input: EndpointSettingsInput): unknown[] {
  return [
    input.name, input.host, input.port, input.tls, input.tlsVerify, input.tlsCa, input.authKind, input.adminUser,
    input.masterMethod, input.masterSeparator, input.secretSealed, input.maxConnections, input.protocol, input.url,
    input.compress,
  ];
}

/**
 * Inserts an endpoint; returns its id, or null when one with the same server and login method exists
 * (the UNIQUE key of 0001_ledger.sql) — the caller turns that into ENDPOINT_CONFLICT.
 */
export async function insertEndpointSettings(db: Db, input: EndpointSettingsInput): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO endpoints (name, host, port, tls_mode, tls_verify, tls_ca, auth_kind, admin_user, master_method,
                            master_separator, secret_sealed, max_connections, protocol, url, compress_mode)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (protocol, host, port, tls_mode, auth_kind, admin_user, url) DO NOTHING
     RETURNING id`,
    values(input),
  );
  return rows[0] ? String(rows[0].id) : null;
}

/** The id of the endpoint with the same UNIQUE key as `input`, or null. */
export async function findEndpointByKey(
  db: Db, input: Pick<EndpointSettingsInput, 'protocol' | 'url' | 'host' | 'port' | 'tls' | 'authKind' | 'adminUser'>,
): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM endpoints
      WHERE protocol = $6 AND host = $1 AND port = $2 AND tls_mode = $3 AND auth_kind = $4 AND admin_user IS NOT DISTINCT FROM $5
        AND url IS NOT DISTINCT FROM $7`,
    [input.host, input.port, input.tls, input.authKind, input.adminUser, input.protocol, input.url],
  );
  return rows[0] ? String(rows[0].id) : null;
}

/** Replaces every setting of an endpoint; false when there is no such endpoint, null on a key conflict. */
export async function updateEndpointSettings(db: Db, id: string, input: EndpointSettingsInput): Promise<boolean | null> {
  if (!isRowId(id)) return false;
  try {
    const { rowCount } = await db.query(
      `UPDATE endpoints SET name = $1, host = $2, port = $3, tls_mode = $4, tls_verify = $5, tls_ca = $6, auth_kind = $7,
              admin_user = $8, master_method = $9, master_separator = $10, secret_sealed = $11, max_connections = $12,
              protocol = $13, url = $14, compress_mode = $15
        WHERE id = $16`,
      [...values(input), id],
    );
    return (rowCount ?? 0) > 0;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return null;
    throw err;
  }
}

/** One endpoint with its sealed secret, or null. */
export async function getEndpointSettings(db: Db, id: string): Promise<EndpointSettingsRecord | null> {
  if (!isRowId(id)) return null;
  const { rows } = await db.query<EndpointSettingsRow>(`SELECT ${ENDPOINT_SETTINGS_COLUMNS.join(', ')} FROM endpoints WHERE id = $1`, [id]);
  return rows[0] ? endpointSettingsFromRow(rows[0]) : null;
}

/** Every endpoint (IMAP, CalDAV, CardDAV), by name then id. */
export async function listEndpointSettings(db: Db): Promise<EndpointSettingsRecord[]> {
  const { rows } = await db.query<EndpointSettingsRow>(
    `SELECT ${ENDPOINT_SETTINGS_COLUMNS.join(', ')} FROM endpoints ORDER BY name NULLS LAST, id`,
  );
  return rows.map(endpointSettingsFromRow);
}
