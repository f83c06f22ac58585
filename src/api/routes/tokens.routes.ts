/**
 * API tokens (admin only): create (the token is in this one response and never again), list (prefix
 * only), revoke. A token acts with the role of the user it belongs to.
 */
import { z } from 'zod';
import { AppError } from '../../core/app-error.ts';
import { getApiToken, insertApiToken, listApiTokens, revokeApiToken, type ApiTokenRecord } from '../../store/api-token.repository.ts';
import { getUser } from '../../store/user.repository.ts';
import type { ApiDeps } from '../api-deps.ts';
import { principalOf } from '../auth/authenticate.ts';
import { newApiToken } from '../auth/secret-tokens.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Id, IdParams, iso, Timestamp } from '../schemas/common.schemas.ts';

const admin = { access: 'admin' as const };

const ApiToken = z.object({
  id: Id,
  userId: Id,
  userEmail: z.string(),
  name: z.string(),
  prefix: z.string().describe('first characters of the token, for telling tokens apart'),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
}).meta({ id: 'ApiToken' });

function tokenView(token: ApiTokenRecord): z.infer<typeof ApiToken> {
  return {
    id: token.id, userId: token.userId, userEmail: token.userEmail, name: token.name, prefix: token.prefix,
    createdAt: iso(token.createdAt) ?? '', lastUsedAt: iso(token.lastUsedAt), revokedAt: iso(token.revokedAt),
  };
}

/** Registers the token routes. */
export function registerTokenRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/api/tokens', {
    config: admin,
    schema: { tags: ['tokens'], summary: 'List API tokens (admin; never the tokens themselves)', response: { 200: z.object({ tokens: z.array(ApiToken) }) } },
  }, async () => ({ tokens: (await listApiTokens(deps.pool)).map(tokenView) }));

  app.post('/api/tokens', {
    config: admin,
    schema: {
      tags: ['tokens'], summary: 'Create an API token (admin); the token is shown in this response only',
      body: z.object({ name: z.string().min(1).max(200), userId: Id.optional().describe('owner; default: the caller') }),
      response: { 201: ApiToken.extend({ token: z.string().describe('`cut_…`: store it now, it cannot be shown again') }) },
    },
  }, async (request, reply) => {
    const userId = request.body.userId ?? principalOf(request).userId;
    const owner = await getUser(deps.pool, userId);
    if (!owner) throw new AppError('API_NOT_FOUND', 'no such user', { details: { resource: 'user', id: userId } });
    const secret = newApiToken();
    const record = await insertApiToken(deps.pool, { userId, name: request.body.name, tokenHash: secret.hash, prefix: secret.prefix });
    request.log.info({ tokenId: record.id, prefix: record.prefix, userId }, 'API token created');
    return reply.status(201).send({ ...tokenView(record), token: secret.token });
  });

  app.delete('/api/tokens/:id', {
    config: admin,
    schema: { tags: ['tokens'], summary: 'Revoke an API token (admin)', params: IdParams, response: { 200: ApiToken } },
  }, async (request) => {
    if (!(await getApiToken(deps.pool, request.params.id))) {
      throw new AppError('API_NOT_FOUND', 'no such token', { details: { resource: 'token', id: request.params.id } });
    }
    const revoked = await revokeApiToken(deps.pool, request.params.id, deps.clock.now());
    if (!revoked) throw new AppError('API_NOT_FOUND', 'no such token');
    request.log.info({ tokenId: revoked.id, prefix: revoked.prefix }, 'API token revoked');
    return tokenView(revoked);
  });
}
