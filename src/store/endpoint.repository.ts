/** Endpoints: one row per server + login method (+ DAV URL; see the UNIQUE key in 0006_project_dav.sql). */
import type { TlsMode } from '../core/endpoint.ts';
import { toNumberStrict, type Db } from './db.ts';

/** Protocol an endpoint speaks. */
export type EndpointProtocol = 'imap' | 'caldav' | 'carddav';

/** How an endpoint logs in (the secret itself is sealed, see core/secret-box.ts). */
export type EndpointAuthKind = 'password' | 'master' | 'oauth2';

/** What `upsertEndpoint` writes. */
export interface EndpointInput {
  readonly protocol: EndpointProtocol;
  readonly host: string;
  readonly port: number;
  readonly tlsMode: TlsMode;
  readonly tlsVerify: boolean;
  readonly authKind: EndpointAuthKind;
  /** Admin (master) user for authKind 'master', else null. */
  readonly adminUser: string | null;
  /** Sealed secret, or null when the secret is not stored (it replaces what was stored). */
  readonly secretSealed: Buffer | null;
  readonly maxConnections: number;
}

/** A stored endpoint. */
export interface EndpointRecord extends EndpointInput {
  readonly id: string;
  readonly createdAt: Date;
}

interface EndpointRow {
  id: string;
  protocol: EndpointProtocol;
  host: string;
  port: number;
  tls_mode: TlsMode;
  tls_verify: boolean;
  auth_kind: EndpointAuthKind;
  admin_user: string | null;
  secret_sealed: Buffer | null;
  max_connections: number;
  created_at: Date;
}

/**
 * Inserts the endpoint, or finds the one with the same key and returns its id. An existing endpoint
 * keeps its settings and its stored secret: `cutover sync` (which never stores a password) must not
 * wipe the admin secret of a project endpoint on the same server. A new secret replaces the old one.
 */
export async function upsertEndpoint(db: Db, input: EndpointInput): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO endpoints (protocol, host, port, tls_mode, tls_verify, auth_kind, admin_user, secret_sealed, max_connections)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (protocol, host, port, tls_mode, auth_kind, admin_user, url) DO UPDATE
       SET secret_sealed = COALESCE(EXCLUDED.secret_sealed, endpoints.secret_sealed)
     RETURNING id`,
    [input.protocol, input.host, input.port, input.tlsMode, input.tlsVerify, input.authKind, input.adminUser, input.secretSealed, input.maxConnections],
  );
  return String(rows[0]?.id);
}

/** The endpoint with this id, or null. */
export async function getEndpoint(db: Db, id: string): Promise<EndpointRecord | null> {
  const { rows } = await db.query<EndpointRow>('SELECT * FROM endpoints WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) return null;
  return {
    id: String(row.id),
    protocol: row.protocol,
    host: row.host,
    port: toNumberStrict(row.port),
    tlsMode: row.tls_mode,
    tlsVerify: row.tls_verify,
    authKind: row.auth_kind,
    adminUser: row.admin_user,
    secretSealed: row.secret_sealed,
    maxConnections: toNumberStrict(row.max_connections),
    createdAt: row.created_at,
  };
}
