/** `startApiServer`: the API app listening on a host and port, with a graceful close. */
import type { AddressInfo } from 'node:net';
import type { ApiDeps } from './api-deps.ts';
import { buildApp } from './app.ts';
import { AppError } from '../core/app-error.ts';

/** A listening API server. */
export interface ApiServer {
  /** Base URL, e.g. http://127.0.0.1:8080 (the real port when 0 was asked for). */
  readonly url: string;
  /** Stops accepting connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

/** Builds the app and listens. Port 0 picks a free port. */
export async function startApiServer(deps: ApiDeps, options: { host: string; port: number }): Promise<ApiServer> {
  const app = await buildApp(deps);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const why = code === 'EADDRINUSE' ? 'is already in use (another cutover serve?)' : code === 'EACCES' ? 'needs privileges this user lacks' : 'is not an address of this machine';
      throw new AppError('CONFIG_INVALID', `cannot listen on ${options.host}:${options.port}: the address ${why}. Choose another with --port / CUTOVER_PORT or --host / CUTOVER_HOST.`, {
        cause: err, details: { host: options.host, port: options.port, errno: code },
      });
    }
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  deps.logger.info({ url }, 'API listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      // Fastify's close waits for requests in flight; idle keep-alive connections are closed at once
      // (forceCloseConnections defaults to 'idle'), so close does not hang on an open browser tab.
      closing ??= app.close();
      return closing;
    },
  };
}
