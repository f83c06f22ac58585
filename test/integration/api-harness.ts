/**
 * An API app on a fresh PostgreSQL database for the api-*.int.test.ts files: migrated schema, a
 * bootstrap admin, an operator and a viewer with API tokens, every log line captured (level trace),
 * and a recording TaskQueue that stands in for pg-boss (helper B tests the real queue).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { buildApp } from '../../src/api/app.ts';
import type { ApiDeps } from '../../src/api/api-deps.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { TaskQueue } from '../../src/queue/task-queue.ts';
import { createPool } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

/** A role with a user and token. */
export type Role = 'admin' | 'operator' | 'viewer';

/** One task the recording queue was given. */
export interface RecordedTask {
  readonly name: string;
  readonly data: unknown;
}

/** The running harness. */
export interface ApiHarness {
  readonly app: FastifyInstance;
  readonly pool: pg.Pool;
  readonly deps: ApiDeps;
  /** Every log line written so far (JSON text). */
  readonly logs: string[];
  readonly tasks: RecordedTask[];
  readonly users: Record<Role, { id: string; email: string; password: string; token: string }>;
  /** inject() as a role (its API token), or without credentials (null). */
  as(role: Role | null, options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A TaskQueue that records what it is given (stands in for pg-boss in API tests). */
export function recordingQueue(tasks: RecordedTask[]): TaskQueue {
  return {
    enqueue(name, data) {
      tasks.push({ name, data });
      return Promise.resolve(`job-${tasks.length}`);
    },
  };
}

/** Starts the harness; `extra` overrides deps. */
export async function startApiHarness(name: string, extra: Partial<ApiDeps> = {}): Promise<ApiHarness> {
  const db: TestDatabase = await testDatabase(name);
  const pool = createPool(db.url, { max: 5 });
  await migrate(pool);
  const logs: string[] = [];
  const tasks: RecordedTask[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logs.push(line) } });
  const adminPassword = `admin-${randomBytes(8).toString('hex')}`;
  const deps: ApiDeps = {
    pool, secretKey: randomBytes(32), queue: recordingQueue(tasks), logger, clock: systemClock,
    bootstrapAdmin: { email: 'admin@cutover.test', password: adminPassword }, ...extra,
  };
  const app = await buildApp(deps);

  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'admin@cutover.test', password: adminPassword } });
  if (login.statusCode !== 200) throw new Error(`harness: admin login failed: ${login.body}`);
  const cookie = login.cookies.find((c) => c.name === 'cutover_session');
  const asAdminSession = (options: InjectOptions): Promise<LightMyRequestResponse> =>
    app.inject({ ...options, cookies: { cutover_session: cookie?.value ?? '' } });

  const users = {} as Record<Role, { id: string; email: string; password: string; token: string }>;
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    let id: string;
    let password = adminPassword;
    const email = `${role}@cutover.test`;
    if (role === 'admin') {
      id = (JSON.parse(login.body) as { id: string }).id;
    } else {
      password = `${role}-${randomBytes(8).toString('hex')}`;
      const res = await asAdminSession({ method: 'POST', url: '/api/users', payload: { email, role, password } });
      if (res.statusCode !== 201) throw new Error(`harness: create ${role}: ${res.body}`);
      id = (JSON.parse(res.body) as { id: string }).id;
    }
    const tok = await asAdminSession({ method: 'POST', url: '/api/tokens', payload: { name: `${role} token`, userId: id } });
    if (tok.statusCode !== 201) throw new Error(`harness: token for ${role}: ${tok.body}`);
    users[role] = { id, email, password, token: (JSON.parse(tok.body) as { token: string }).token };
  }

  return {
    app, pool, deps, logs, tasks, users,
    as(role, options) {
      const headers = { ...(options.headers ?? {}), ...(role ? { authorization: `Bearer ${users[role].token}` } : {}) };
      return app.inject({ ...options, headers });
    },
    async close() {
      await app.close();
      await pool.end();
      await db.drop();
    },
  };
}

/** A registered route's URL with every parameter filled in. */
export function concreteUrl(url: string, id = '1'): string {
  return url.replace(/:[A-Za-z]+/g, id).replace(/\*$/, 'x');
}
