/**
 * Endpoints as projects manage them: create, read, change, list. The admin (master) password or OAuth2
 * token is sealed with the configured key (core/secret-box.ts) before it reaches the database, and no
 * function here returns it: callers see `hasSecret` only. `loadPairRef` (pair-endpoints.ts) is the one
 * place that opens it, to log in.
 */
import { AppError } from '../core/app-error.ts';
import type { CompressMode, TlsMode } from '../core/endpoint.ts';
import { sealSecret } from '../core/secret-box.ts';
import type { Db } from '../store/db.ts';
import type { EndpointAuthKind, EndpointProtocol } from '../store/endpoint.repository.ts';
import {
  findEndpointByKey, getEndpointSettings, insertEndpointSettings, listEndpointSettings, updateEndpointSettings,
  type EndpointSettingsInput, type EndpointSettingsRecord, type MasterMethod,
} from '../store/endpoint-settings.repository.ts';

/** What a user gives to create an endpoint. `adminPassword` is the master password, or the OAuth2 token. */
export interface EndpointSpec {
  /** Default `imap`. CalDAV/CardDAV endpoints also need `url`. */
  readonly protocol?: EndpointProtocol;
  /** CalDAV/CardDAV: the http(s) URL discovery starts at (root, context path or home set). */
  readonly url?: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  readonly tlsVerify: boolean;
  /** Extra trusted CA certificate(s), PEM. */
  readonly tlsCa?: string;
  /** `password`: each pair logs in with its own password; `master`: one admin user acts as every user; `oauth2`: a bearer token. */
  readonly authKind: EndpointAuthKind;
  readonly adminUser?: string;
  readonly adminPassword?: string;
  /** For master access: SASL PLAIN authorization identity (RFC 4616, default) or `user<separator>admin`. */
  readonly masterMethod?: MasterMethod;
  readonly masterSeparator?: string;
  readonly maxConnections: number;
  /**
   * COMPRESS=DEFLATE (RFC 4978), IMAP only: `auto` (default) only when the round trip is 10 ms or more,
   * `on` whenever the server offers it, `off` never (connectors/imap/compression.ts).
   */
  readonly compress?: CompressMode;
}

/** A change to an endpoint: the fields given replace the stored ones; `adminPassword: null` removes the secret. */
export type EndpointPatch = Partial<Omit<EndpointSpec, 'adminPassword'>> & { readonly adminPassword?: string | null };

/** An endpoint as the API shows it: every setting but the secret, and whether a secret is stored. */
export interface EndpointView extends Omit<EndpointSpec, 'adminPassword' | 'protocol' | 'compress'> {
  readonly id: string;
  readonly protocol: EndpointProtocol;
  /** Always `auto` for CalDAV/CardDAV. */
  readonly compress: CompressMode;
  readonly hasSecret: boolean;
  readonly createdAt: Date;
}

const TLS_MODES: readonly string[] = ['implicit', 'starttls', 'none'];
const AUTH_KINDS: readonly string[] = ['password', 'master', 'oauth2'];
const PROTOCOLS: readonly string[] = ['imap', 'caldav', 'carddav'];
const COMPRESS_MODES: readonly string[] = ['auto', 'on', 'off'];

/** True for a CalDAV or CardDAV endpoint. */
export function isDavProtocol(protocol: EndpointProtocol | undefined): protocol is 'caldav' | 'carddav' {
  return protocol === 'caldav' || protocol === 'carddav';
}

/** Host, port and TLS mode of a DAV URL (they key the endpoint and its connection cap), or null when it is not http(s). */
export function davUrlParts(url: string): { host: string; port: number; tls: TlsMode } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const https = parsed.protocol === 'https:';
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : https ? 443 : 80, tls: https ? 'implicit' : 'none' };
}
const MAX_CONNECTIONS_LIMIT = 1000;

/** Every problem of a spec (empty when it is valid); messages name the field and never echo a secret. */
export function endpointSpecProblems(spec: EndpointSpec): string[] {
  const problems: string[] = [];
  const protocol = spec.protocol ?? 'imap';
  if (!PROTOCOLS.includes(protocol)) problems.push(`protocol: one of ${PROTOCOLS.join(', ')}`);
  if (isDavProtocol(protocol)) {
    if (spec.url === undefined || davUrlParts(spec.url) === null) problems.push('url: an http(s) URL, required for CalDAV/CardDAV');
    if (spec.authKind === 'oauth2') problems.push('authKind: password or master for CalDAV/CardDAV');
    if (spec.masterMethod === 'separator') problems.push('masterMethod: CalDAV/CardDAV admin access logs in as the admin user (authzid)');
    if (spec.compress === 'on' || spec.compress === 'off') problems.push('compress: only for IMAP endpoints (CalDAV/CardDAV keep auto)');
  } else if (spec.url !== undefined) {
    problems.push('url: only for CalDAV/CardDAV endpoints');
  }
  if (typeof spec.name !== 'string' || spec.name.trim() === '') problems.push('name: required');
  if (typeof spec.host !== 'string' || spec.host.trim() === '' || /\s/.test(spec.host.trim())) problems.push('host: required, without spaces');
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) problems.push('port: an integer from 1 to 65535');
  if (!TLS_MODES.includes(spec.tls)) problems.push(`tls: one of ${TLS_MODES.join(', ')}`);
  if (typeof spec.tlsVerify !== 'boolean') problems.push('tlsVerify: true or false');
  if (spec.tlsCa !== undefined && !spec.tlsCa.includes('-----BEGIN CERTIFICATE-----')) problems.push('tlsCa: PEM certificate text (-----BEGIN CERTIFICATE-----)');
  if (!Number.isInteger(spec.maxConnections) || spec.maxConnections < 1 || spec.maxConnections > MAX_CONNECTIONS_LIMIT) {
    problems.push(`maxConnections: an integer from 1 to ${MAX_CONNECTIONS_LIMIT}`);
  }
  if (spec.compress !== undefined && !COMPRESS_MODES.includes(spec.compress)) problems.push(`compress: one of ${COMPRESS_MODES.join(', ')}`);
  if (!AUTH_KINDS.includes(spec.authKind)) problems.push(`authKind: one of ${AUTH_KINDS.join(', ')}`);
  if (spec.authKind === 'master') {
    if (!spec.adminUser?.trim()) problems.push('adminUser: required for master access');
    if (spec.masterMethod !== undefined && spec.masterMethod !== 'authzid' && spec.masterMethod !== 'separator') problems.push('masterMethod: authzid or separator');
    if (spec.masterMethod === 'separator' && !spec.masterSeparator) problems.push('masterSeparator: required with masterMethod separator (Dovecot: auth_master_user_separator, often "*")');
  } else {
    if (spec.adminUser !== undefined) problems.push('adminUser: only for master access');
    if (spec.masterMethod !== undefined || spec.masterSeparator !== undefined) problems.push('masterMethod/masterSeparator: only for master access');
  }
  if (spec.authKind === 'password' && spec.adminPassword !== undefined) {
    problems.push('adminPassword: not used with password access (each pair has its own password)');
  }
  if (spec.adminPassword !== undefined && typeof spec.adminPassword !== 'string') problems.push('adminPassword: text');
  return problems;
}

/** A DAV endpoint's host, port and TLS mode come from its URL (what was given for them is ignored). */
function normalise(spec: EndpointSpec): EndpointSpec {
  const parts = isDavProtocol(spec.protocol) && spec.url !== undefined ? davUrlParts(spec.url) : null;
  return parts ? { ...spec, ...parts } : spec;
}

function check(spec: EndpointSpec): void {
  const problems = endpointSpecProblems(spec);
  if (problems.length > 0) {
    throw new AppError('ENDPOINT_INVALID', `invalid endpoint: ${problems.join('; ')}`, { details: { problems: problems.join('; ') } });
  }
}

function toInput(spec: EndpointSpec, secretSealed: Buffer | null): EndpointSettingsInput {
  const master = spec.authKind === 'master';
  return {
    protocol: spec.protocol ?? 'imap',
    url: isDavProtocol(spec.protocol) && spec.url !== undefined ? spec.url.trim() : null,
    name: spec.name.trim(),
    host: spec.host.trim(),
    port: spec.port,
    tls: spec.tls,
    tlsVerify: spec.tlsVerify,
    tlsCa: spec.tlsCa ?? null,
    authKind: spec.authKind,
    adminUser: master ? (spec.adminUser?.trim() ?? null) : null,
    masterMethod: master ? (spec.masterMethod ?? 'authzid') : null,
    masterSeparator: master && spec.masterMethod === 'separator' ? (spec.masterSeparator ?? null) : null,
    secretSealed,
    maxConnections: spec.maxConnections,
    compress: isDavProtocol(spec.protocol) ? 'auto' : (spec.compress ?? 'auto'),
  };
}

/** The API view of a stored endpoint (never the secret). */
export function toEndpointView(record: EndpointSettingsRecord): EndpointView {
  return {
    id: record.id,
    protocol: record.protocol,
    ...(record.url === null ? {} : { url: record.url }),
    name: record.name ?? `${record.host}:${record.port}`,
    host: record.host,
    port: record.port,
    tls: record.tls,
    tlsVerify: record.tlsVerify,
    ...(record.tlsCa === null ? {} : { tlsCa: record.tlsCa }),
    authKind: record.authKind,
    ...(record.adminUser === null ? {} : { adminUser: record.adminUser }),
    ...(record.masterMethod === null ? {} : { masterMethod: record.masterMethod }),
    ...(record.masterSeparator === null ? {} : { masterSeparator: record.masterSeparator }),
    maxConnections: record.maxConnections,
    compress: record.compress,
    hasSecret: record.secretSealed !== null,
    createdAt: record.createdAt,
  };
}

async function conflict(db: Db, spec: EndpointSpec): Promise<AppError> {
  const input = toInput(spec, null);
  const existing = await findEndpointByKey(db, input);
  const where = input.url ?? `${input.host}:${input.port}`;
  return new AppError('ENDPOINT_CONFLICT', `an endpoint for ${where} (${input.protocol}, ${input.tls}, ${input.authKind}) exists already${existing ? ` (id ${existing})` : ''}`, {
    details: { endpointId: existing },
  });
}

/**
 * Creates an endpoint and returns its id. ENDPOINT_INVALID lists every problem of the spec;
 * ENDPOINT_CONFLICT when one for the same server and login method exists (one row per server keeps the
 * per-endpoint connection cap meaningful).
 */
export async function createEndpoint(db: Db, key: Buffer, given: EndpointSpec): Promise<string> {
  const spec = normalise(given);
  check(spec);
  const sealed = spec.adminPassword === undefined || spec.adminPassword === '' ? null : sealSecret(key, spec.adminPassword);
  const input = toInput(spec, sealed);
  if (await findEndpointByKey(db, input)) throw await conflict(db, spec);
  const id = await insertEndpointSettings(db, input);
  if (id === null) throw await conflict(db, spec);
  return id;
}

/** The endpoint without its secret, or null. */
export async function getEndpointView(db: Db, id: string): Promise<EndpointView | null> {
  const record = await getEndpointSettings(db, id);
  return record ? toEndpointView(record) : null;
}

/** Every endpoint, by name. */
export async function listEndpoints(db: Db): Promise<EndpointView[]> {
  return (await listEndpointSettings(db)).map(toEndpointView);
}

/**
 * Changes the given settings of an endpoint and returns the new view. `adminPassword`: a string seals a
 * new secret, null removes it, absent keeps it (also when switching auth kind, except to `password`,
 * which drops it). ENDPOINT_NOT_FOUND, ENDPOINT_INVALID, ENDPOINT_CONFLICT.
 */
export async function updateEndpoint(db: Db, key: Buffer, id: string, patch: EndpointPatch): Promise<EndpointView> {
  const current = await getEndpointSettings(db, id);
  if (!current) throw new AppError('ENDPOINT_NOT_FOUND', `no endpoint ${id}`, { details: { endpointId: id } });
  const view = toEndpointView(current);
  const authKind = patch.authKind ?? view.authKind;
  const master = authKind === 'master';
  const url = patch.url ?? view.url;
  const protocol = patch.protocol ?? view.protocol;
  const merged: EndpointSpec = normalise({
    protocol,
    ...(url === undefined ? {} : { url }),
    name: patch.name ?? view.name,
    host: patch.host ?? view.host,
    port: patch.port ?? view.port,
    tls: patch.tls ?? view.tls,
    tlsVerify: patch.tlsVerify ?? view.tlsVerify,
    ...((patch.tlsCa ?? view.tlsCa) === undefined ? {} : { tlsCa: patch.tlsCa ?? view.tlsCa }),
    authKind,
    ...(master && (patch.adminUser ?? view.adminUser) !== undefined ? { adminUser: patch.adminUser ?? view.adminUser } : {}),
    ...(master && (patch.masterMethod ?? view.masterMethod) !== undefined ? { masterMethod: patch.masterMethod ?? view.masterMethod } : {}),
    ...(master && (patch.masterSeparator ?? view.masterSeparator) !== undefined ? { masterSeparator: patch.masterSeparator ?? view.masterSeparator } : {}),
    ...(typeof patch.adminPassword === 'string' ? { adminPassword: patch.adminPassword } : {}),
    maxConnections: patch.maxConnections ?? view.maxConnections,
    // Like the master fields when the login method changes: an IMAP setting is not carried into a DAV endpoint.
    ...(isDavProtocol(protocol) && patch.compress === undefined ? {} : { compress: patch.compress ?? view.compress }),
  });
  check(merged);
  let sealed: Buffer | null;
  if (authKind === 'password' || patch.adminPassword === null || patch.adminPassword === '') sealed = null;
  else if (typeof patch.adminPassword === 'string') sealed = sealSecret(key, patch.adminPassword);
  else sealed = current.secretSealed;
  const input = toInput(merged, sealed);
  const holder = await findEndpointByKey(db, input);
  if (holder !== null && holder !== current.id) throw await conflict(db, merged);
  const updated = await updateEndpointSettings(db, current.id, input);
  if (updated === null) throw await conflict(db, merged);
  if (!updated) throw new AppError('ENDPOINT_NOT_FOUND', `no endpoint ${id}`, { details: { endpointId: id } });
  const after = await getEndpointSettings(db, current.id);
  if (!after) throw new AppError('ENDPOINT_NOT_FOUND', `no endpoint ${id}`, { details: { endpointId: id } });
  return toEndpointView(after);
}
