/**
 * Endpoints: list, create, show, change, and "test connection" (one login with the connector). No
 * answer ever carries the admin password or token: responses go through `endpointView`, field by field.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../core/app-error.ts';
import { defaultImapPort } from '../../core/endpoint.ts';
import { createEndpoint, getEndpointView, listEndpoints, updateEndpoint, type EndpointSpec } from '../../projects/endpoints.ts';
import type { ApiDeps } from '../api-deps.ts';
import { checkImapLogin } from '../connection-check.ts';
import { endpointForLogin } from '../endpoint-login.ts';
import type { ApiApp } from '../fastify-types.ts';
import { IdParams } from '../schemas/common.schemas.ts';
import { ConnectionTestRequest, ConnectionTestResult, Endpoint, EndpointCreate, EndpointPatch, endpointView } from '../schemas/endpoint.schemas.ts';

/** Registers the endpoint routes. */
export function registerEndpointRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/api/endpoints', {
    schema: { tags: ['endpoints'], summary: 'List endpoints (never their secrets)', response: { 200: z.object({ endpoints: z.array(Endpoint) }) } },
  }, async () => ({ endpoints: (await listEndpoints(deps.pool)).map(endpointView) }));

  app.post('/api/endpoints', {
    schema: { tags: ['endpoints'], summary: 'Create an endpoint', body: EndpointCreate, response: { 201: Endpoint } },
  }, async (request, reply) => {
    const body = request.body;
    const spec: EndpointSpec = {
      protocol: body.protocol, ...(body.url === undefined ? {} : { url: body.url }),
      // A DAV endpoint's host, port and TLS come from its URL (projects/endpoints.ts).
      name: body.name, host: body.host ?? '', port: body.port ?? defaultImapPort(body.tls), tls: body.tls, tlsVerify: body.tlsVerify,
      authKind: body.authKind, maxConnections: body.maxConnections, compress: body.compress,
      ...(body.tlsCa === undefined ? {} : { tlsCa: body.tlsCa }),
      ...(body.adminUser === undefined ? {} : { adminUser: body.adminUser }),
      ...(body.adminPassword === undefined ? {} : { adminPassword: body.adminPassword }),
      ...(body.masterMethod === undefined ? {} : { masterMethod: body.masterMethod }),
      ...(body.masterSeparator === undefined ? {} : { masterSeparator: body.masterSeparator }),
    };
    const id = await createEndpoint(deps.pool, deps.secretKey, spec);
    const view = await getEndpointView(deps.pool, id);
    if (!view) throw new AppError('ENDPOINT_NOT_FOUND', `no endpoint ${id}`);
    return reply.status(201).send(endpointView(view));
  });

  app.get('/api/endpoints/:id', {
    schema: { tags: ['endpoints'], summary: 'Show an endpoint', params: IdParams, response: { 200: Endpoint } },
  }, async (request) => {
    const view = await getEndpointView(deps.pool, request.params.id);
    if (!view) throw new AppError('ENDPOINT_NOT_FOUND', `no endpoint ${request.params.id}`, { details: { endpointId: request.params.id } });
    return endpointView(view);
  });

  app.patch('/api/endpoints/:id', {
    schema: { tags: ['endpoints'], summary: 'Change an endpoint (adminPassword: a new secret, null removes it)', params: IdParams, body: EndpointPatch, response: { 200: Endpoint } },
  }, async (request) => {
    const patch = Object.fromEntries(Object.entries(request.body).filter(([, v]) => v !== undefined));
    return endpointView(await updateEndpoint(deps.pool, deps.secretKey, request.params.id, patch));
  });

  app.post('/api/endpoints/:id/test', {
    schema: {
      tags: ['endpoints'], summary: 'Test connection: connect, TLS, log in, read capabilities',
      params: IdParams, body: ConnectionTestRequest, response: { 200: ConnectionTestResult },
    },
  }, async (request) => {
    // The check logs in over IMAP; a DAV endpoint is checked by its pairs' first pass (DAV_AUTH_FAILED names the side).
    const stored = await getEndpointView(deps.pool, request.params.id);
    if (stored && stored.protocol !== 'imap') {
      throw new AppError('API_VALIDATION_FAILED', `test connection checks IMAP endpoints; endpoint ${stored.id} is ${stored.protocol}`, { details: { endpointId: stored.id } });
    }
    const endpoint = await endpointForLogin(deps.pool, deps.secretKey, request.params.id, request.body);
    // request.log is the pino child of deps.logger: ImapFlow's own log (it masks credentials) goes there too.
    const check = await checkImapLogin(endpoint, { logger: request.log as unknown as Logger });
    return {
      ok: check.ok, server: check.server, tls: check.tls, serverName: check.serverName, capabilities: [...check.capabilities],
      missing: [...check.missing], durationMs: check.durationMs,
      error: check.error ? { code: check.error.code, message: check.error.message, hint: check.error.hint } : null,
    };
  });
}
