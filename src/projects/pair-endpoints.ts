/**
 * Builds the two IMAP endpoints a pass logs in with from the stored rows: the endpoint settings, the
 * pair's login names, and the secrets, opened here and nowhere else. Which secret:
 * - the pair's own password when it has one (per-user login, whatever the endpoint's kind);
 * - else the endpoint's admin (master) password acting as the pair's user (master access);
 * - else the endpoint's OAuth2 token for the pair's user (oauth2 access).
 * A pair with none of these fails with PAIR_CREDENTIALS_MISSING before any connection is tried.
 */
import { AppError } from '../core/app-error.ts';
import type { ImapAuth, ImapEndpoint } from '../core/endpoint.ts';
import { openSecret } from '../core/secret-box.ts';
import type { PairRef } from '../engine/pass-types.ts';
import type { Db } from '../store/db.ts';
import type { EndpointSettingsRecord } from '../store/endpoint-settings.repository.ts';
import { getPairCredentials } from '../store/project-pair.repository.ts';

function authFor(key: Buffer, endpoint: EndpointSettingsRecord, user: string, pairSecret: Buffer | null, side: 'source' | 'target', pairId: string): ImapAuth {
  if (pairSecret !== null && endpoint.authKind !== 'oauth2') {
    return { kind: 'password', user, password: openSecret(key, pairSecret) };
  }
  if (endpoint.authKind === 'oauth2') {
    const token = pairSecret ?? endpoint.secretSealed;
    if (token !== null) return { kind: 'oauth2', user, accessToken: openSecret(key, token) };
  }
  if (endpoint.authKind === 'master' && endpoint.adminUser !== null && endpoint.secretSealed !== null) {
    const method = endpoint.masterMethod ?? 'authzid';
    return {
      kind: 'master',
      user,
      adminUser: endpoint.adminUser,
      password: openSecret(key, endpoint.secretSealed),
      method,
      ...(method === 'separator' && endpoint.masterSeparator !== null ? { separator: endpoint.masterSeparator } : {}),
    };
  }
  const why = endpoint.authKind === 'password'
    ? 'it has no password of its own and its endpoint logs in per user'
    : `its endpoint (${endpoint.authKind} access) has no stored ${endpoint.authKind === 'oauth2' ? 'token' : 'admin password'}`;
  throw new AppError('PAIR_CREDENTIALS_MISSING', `mailbox pair ${pairId} cannot log in to the ${side} (${user}): ${why}`, {
    details: { pairId, side, endpointId: endpoint.id },
  });
}

function imapEndpoint(key: Buffer, endpoint: EndpointSettingsRecord, user: string, pairSecret: Buffer | null, side: 'source' | 'target', pairId: string): ImapEndpoint {
  return {
    host: endpoint.host,
    port: endpoint.port,
    tls: endpoint.tls,
    tlsVerify: endpoint.tlsVerify,
    ...(endpoint.tlsCa === null ? {} : { tlsCa: endpoint.tlsCa }),
    auth: authFor(key, endpoint, user, pairSecret, side, pairId),
    maxConnections: endpoint.maxConnections,
    compress: endpoint.compress,
  };
}

/**
 * The pair as the engine runs it (both endpoints with their secrets opened) and its project.
 * PAIR_NOT_FOUND, PAIR_CREDENTIALS_MISSING, CONFIG_INVALID (a secret sealed with another key).
 */
export async function loadPairRef(db: Db, key: Buffer, pairId: string): Promise<PairRef & { projectId: string | null }> {
  const pair = await getPairCredentials(db, pairId);
  if (!pair) throw new AppError('PAIR_NOT_FOUND', `no mailbox pair ${pairId}`, { details: { pairId } });
  return {
    id: pair.id,
    projectId: pair.projectId,
    source: imapEndpoint(key, pair.source, pair.sourceUser, pair.sourceSecretSealed, 'source', pair.id),
    target: imapEndpoint(key, pair.target, pair.targetUser, pair.targetSecretSealed, 'target', pair.id),
  };
}
