/**
 * The ImapEndpoint for "test connection": a stored endpoint plus the account to log in as. The stored
 * admin secret (master password or OAuth2 token) is opened here, used for the one login and dropped;
 * a password endpoint uses the password sent with the request, which is never stored.
 */
import { AppError } from '../core/app-error.ts';
import type { ImapAuth, ImapEndpoint } from '../core/endpoint.ts';
import { openSecret } from '../core/secret-box.ts';
import { getEndpointSettings } from '../store/endpoint-settings.repository.ts';
import type { Db } from '../store/db.ts';

/** Builds the endpoint to log in to; ENDPOINT_NOT_FOUND, API_VALIDATION_FAILED when the account is incomplete. */
export async function endpointForLogin(db: Db, key: Buffer, endpointId: string, account: { user?: string; password?: string }): Promise<ImapEndpoint> {
  const settings = await getEndpointSettings(db, endpointId);
  if (!settings) throw new AppError('ENDPOINT_NOT_FOUND', `no endpoint ${endpointId}`, { details: { endpointId } });
  const secret = (): string => {
    if (!settings.secretSealed) throw new AppError('PAIR_CREDENTIALS_MISSING', 'the endpoint has no stored admin password or token', { details: { endpointId } });
    return openSecret(key, settings.secretSealed);
  };
  let auth: ImapAuth;
  switch (settings.authKind) {
    case 'password':
      if (!account.user || account.password === undefined) {
        throw new AppError('API_VALIDATION_FAILED', 'a password endpoint is tested with an account: give user and password', { details: { endpointId } });
      }
      auth = { kind: 'password', user: account.user, password: account.password };
      break;
    case 'master': {
      if (!account.user) throw new AppError('API_VALIDATION_FAILED', 'give the user the admin (master) user should act as', { details: { endpointId } });
      const method = settings.masterMethod ?? 'authzid';
      auth = {
        kind: 'master', user: account.user, adminUser: settings.adminUser ?? '', password: secret(), method,
        ...(method === 'separator' && settings.masterSeparator ? { separator: settings.masterSeparator } : {}),
      };
      break;
    }
    case 'oauth2':
      if (!account.user) throw new AppError('API_VALIDATION_FAILED', 'give the user the token belongs to', { details: { endpointId } });
      auth = { kind: 'oauth2', user: account.user, accessToken: secret() };
      break;
  }
  return {
    host: settings.host, port: settings.port, tls: settings.tls, tlsVerify: settings.tlsVerify,
    ...(settings.tlsCa ? { tlsCa: settings.tlsCa } : {}), auth, maxConnections: settings.maxConnections,
    compress: settings.compress,
  };
}
