/** Endpoints in the API: the admin password / OAuth2 token is write-only, answers say `hasSecret`. */
import { z } from 'zod';
import type { EndpointView as StoredEndpointView } from '../../projects/endpoints.ts';
import { Id, iso, Timestamp } from './common.schemas.ts';

const TlsMode = z.enum(['implicit', 'starttls', 'none']);
const AuthKind = z.enum(['password', 'master', 'oauth2']);
const MasterMethod = z.enum(['authzid', 'separator']);
const Protocol = z.enum(['imap', 'caldav', 'carddav']);
const CompressMode = z.enum(['auto', 'on', 'off'])
  .describe('COMPRESS=DEFLATE (RFC 4978): auto = only when the round trip is 10 ms or more; on = whenever the server offers it; off = never. IMAP only (CalDAV/CardDAV: auto)');
const DavUrl = z.string().min(1).max(2000).describe('CalDAV/CardDAV only: http(s) URL discovery starts at (server root, context path or home set); host, port and TLS follow from it');

/** Fields of a new endpoint. */
export const EndpointCreate = z.object({
  protocol: Protocol.default('imap'),
  url: DavUrl.optional(),
  name: z.string().min(1).max(200),
  host: z.string().min(1).max(255).optional().describe('required for IMAP; CalDAV/CardDAV take it from url'),
  port: z.number().int().min(1).max(65535).optional().describe('default: 993 for implicit TLS, else 143'),
  tls: TlsMode.default('implicit'),
  tlsVerify: z.boolean().default(true),
  tlsCa: z.string().max(100_000).optional().describe('extra trusted CA certificate(s), PEM'),
  authKind: AuthKind.default('password').describe('password: each pair has its own password; master: one admin user acts as every user; oauth2: a bearer token'),
  adminUser: z.string().max(320).optional(),
  adminPassword: z.string().max(4096).optional().describe('master password or OAuth2 token; write-only, never returned'),
  masterMethod: MasterMethod.optional(),
  masterSeparator: z.string().max(8).optional(),
  maxConnections: z.number().int().min(1).max(1000).default(4),
  compress: CompressMode.default('auto'),
});

/** A change: every field optional; `adminPassword: null` removes the stored secret. */
export const EndpointPatch = z.object({
  url: DavUrl.optional(),
  name: z.string().min(1).max(200).optional(),
  host: z.string().min(1).max(255).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  tls: TlsMode.optional(),
  tlsVerify: z.boolean().optional(),
  tlsCa: z.string().max(100_000).optional(),
  authKind: AuthKind.optional(),
  adminUser: z.string().max(320).optional(),
  adminPassword: z.string().max(4096).nullable().optional(),
  masterMethod: MasterMethod.optional(),
  masterSeparator: z.string().max(8).optional(),
  maxConnections: z.number().int().min(1).max(1000).optional(),
  compress: CompressMode.optional(),
});

/** An endpoint as answered. There is deliberately no password field. */
export const Endpoint = z.object({
  id: Id,
  protocol: Protocol,
  url: z.string().nullable(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  tls: TlsMode,
  tlsVerify: z.boolean(),
  tlsCa: z.string().nullable(),
  authKind: AuthKind,
  adminUser: z.string().nullable(),
  masterMethod: MasterMethod.nullable(),
  masterSeparator: z.string().nullable(),
  maxConnections: z.number().int(),
  compress: CompressMode,
  hasSecret: z.boolean().describe('an admin password or token is stored (it is never returned)'),
  createdAt: Timestamp,
}).meta({ id: 'Endpoint' });

/** The stored view in the API's shape (field by field, so nothing else can slip out). */
export function endpointView(view: StoredEndpointView): z.infer<typeof Endpoint> {
  return {
    id: view.id, protocol: view.protocol, url: view.url ?? null, name: view.name, host: view.host, port: view.port, tls: view.tls, tlsVerify: view.tlsVerify,
    tlsCa: view.tlsCa ?? null, authKind: view.authKind, adminUser: view.adminUser ?? null,
    masterMethod: view.masterMethod ?? null, masterSeparator: view.masterSeparator ?? null,
    maxConnections: view.maxConnections, compress: view.compress, hasSecret: view.hasSecret, createdAt: iso(view.createdAt) ?? '',
  };
}

/** Body of "test connection": the account to log in as (master: the user the admin acts as). */
export const ConnectionTestRequest = z.object({
  user: z.string().min(1).max(320).optional().describe('account to log in as; required for password and master endpoints'),
  password: z.string().max(4096).optional().describe('the account password, for password endpoints; never stored or returned'),
});

/** What "test connection" found. A failed login is a 200 with `ok: false` and the error code. */
export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  server: z.string(),
  tls: TlsMode,
  serverName: z.string().nullable(),
  capabilities: z.array(z.string()),
  missing: z.array(z.string()).describe('capabilities Cutover uses that the server lacks (UIDPLUS, CONDSTORE, MULTIAPPEND …)'),
  durationMs: z.number(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string() }).nullable(),
}).meta({ id: 'ConnectionTestResult' });
