/**
 * Builds the two DAV endpoints a calendar or contacts pass logs in with, as `loadPairRef` does for IMAP
 * (pair-endpoints.ts): the endpoint rows (URL, TLS, cap), the pair's login names, and the secrets opened
 * here. Which secret: the pair's own password (HTTP Basic as the user), else the endpoint's admin
 * password acting in the user's home (`master` endpoints). Anything else: PAIR_CREDENTIALS_MISSING.
 */
import type { DavAuth, DavEndpoint } from '../connectors/dav/types.ts';
import { AppError } from '../core/app-error.ts';
import { openSecret } from '../core/secret-box.ts';
import type { DavPairRef } from '../engine/dav/dav-pass-types.ts';
import type { Db } from '../store/db.ts';
import type { EndpointSettingsRecord } from '../store/endpoint-settings.repository.ts';
import { getPairCredentials } from '../store/project-pair.repository.ts';

function davAuth(key: Buffer, endpoint: EndpointSettingsRecord, user: string, pairSecret: Buffer | null, side: 'source' | 'target', pairId: string): DavAuth {
  if (pairSecret !== null) return { kind: 'password', user, password: openSecret(key, pairSecret) };
  if (endpoint.authKind === 'master' && endpoint.adminUser !== null && endpoint.secretSealed !== null) {
    return { kind: 'admin', user, adminUser: endpoint.adminUser, password: openSecret(key, endpoint.secretSealed) };
  }
  throw new AppError('PAIR_CREDENTIALS_MISSING', `${endpoint.protocol} pair ${pairId} cannot log in to the ${side} (${user}): no password of its own and no admin password on its endpoint`, {
    details: { pairId, side, endpointId: endpoint.id },
  });
}

function davEndpoint(key: Buffer, endpoint: EndpointSettingsRecord, user: string, pairSecret: Buffer | null, side: 'source' | 'target', pairId: string): DavEndpoint {
  if (endpoint.url === null) {
    throw new AppError('PAIR_CREDENTIALS_MISSING', `${endpoint.protocol} pair ${pairId}: the ${side} endpoint ${endpoint.id} has no URL`, { details: { pairId, side, endpointId: endpoint.id } });
  }
  return {
    url: endpoint.url,
    auth: davAuth(key, endpoint, user, pairSecret, side, pairId),
    tlsVerify: endpoint.tlsVerify,
    ...(endpoint.tlsCa === null ? {} : { tlsCa: endpoint.tlsCa }),
    maxConnections: endpoint.maxConnections,
  };
}

/** Protocol of a pair: `imap`, or the DAV kind when both endpoints are that kind; null when there is no such pair. */
export async function pairProtocol(db: Db, pairId: string): Promise<'imap' | 'caldav' | 'carddav' | null> {
  const pair = await getPairCredentials(db, pairId);
  if (!pair) return null;
  const kind = pair.source.protocol;
  return kind !== 'imap' && pair.target.protocol === kind ? kind : 'imap';
}

/**
 * The DAV pair as the engine runs it (secrets opened) and its project. PAIR_NOT_FOUND (also for a pair
 * that is not a DAV pair), PAIR_CREDENTIALS_MISSING, CONFIG_INVALID (a secret sealed with another key).
 */
export async function loadDavPairRef(db: Db, key: Buffer, pairId: string): Promise<DavPairRef & { projectId: string | null }> {
  const pair = await getPairCredentials(db, pairId);
  const kind = pair?.source.protocol;
  if (!pair || (kind !== 'caldav' && kind !== 'carddav') || pair.target.protocol !== kind) {
    throw new AppError('PAIR_NOT_FOUND', `no calendar or contacts pair ${pairId}`, { details: { pairId } });
  }
  return {
    id: pair.id,
    projectId: pair.projectId,
    kind,
    source: davEndpoint(key, pair.source, pair.sourceUser, pair.sourceSecretSealed, 'source', pair.id),
    target: davEndpoint(key, pair.target, pair.targetUser, pair.targetSecretSealed, 'target', pair.id),
  };
}
