/**
 * The CLI over the API as a user meets it: `cutover login` stores a credential (0600, never printed),
 * later commands need no --token, `cutover endpoint create` keeps the admin password out of the
 * answers, `project report` reads for people, a viewer's login is a session that may read but not
 * change, and `cutover logout` forgets it. Real `startApiServer` on PostgreSQL; the queue is a
 * recording stand-in (no passes run here).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../../src/api/server.ts';
import { hashPassword } from '../../src/api/auth/password-hash.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createPool } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createUser } from '../../src/store/user.repository.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { runCli } from '../helpers/run-cli.ts';
import { recordingQueue } from './api-harness.ts';

const ADMIN_PW = 'admin-password-123';
const VIEWER_PW = 'viewer-password-456';
const MASTER_SECRET = 'the-master-secret-789';

describe('cutover login, endpoint and report from the command line', () => {
  let db: TestDatabase;
  let server: ApiServer;
  let pool: ReturnType<typeof createPool>;
  const dir = mkdtempSync(join(tmpdir(), 'cutover-cli-'));
  const creds = join(dir, 'credentials.json');
  const env = (): NodeJS.ProcessEnv => ({ CUTOVER_URL: server.url, CUTOVER_CREDENTIALS: creds, CUTOVER_TOKEN: '' });

  before(async () => {
    db = await testDatabase('cli_login');
    pool = createPool(db.url, { max: 4 });
    await migrate(pool);
    server = await startApiServer({
      pool, secretKey: randomBytes(32), queue: recordingQueue([]), logger: silentLogger(), clock: systemClock,
      bootstrapAdmin: { email: 'admin@cutover.test', password: ADMIN_PW },
    }, { host: '127.0.0.1', port: 0 });
    await createUser(pool, { email: 'viewer@cutover.test', name: 'V', role: 'viewer', passwordHash: await hashPassword(VIEWER_PW) });
  });
  after(async () => {
    await server?.close();
    await pool?.end();
    await db?.drop();
  });

  test('an admin logs in once; endpoints and projects need no token after that', async () => {
    const login = await runCli(['login', '--email', 'admin@cutover.test'], { ...env(), CUTOVER_PASSWORD: ADMIN_PW });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /API token is stored/);
    assert.equal(statSync(creds).mode & 0o777, 0o600);
    assert.ok(!login.stdout.includes('cut_'), 'the token is never printed');

    const secretFile = join(dir, 'master.pw');
    writeFileSync(secretFile, `${MASTER_SECRET}\n`);
    const created = await runCli(['endpoint', 'create', 'old', '--host', '127.0.0.1', '--port', '1143', '--tls', 'none',
      '--auth', 'master', '--admin-user', 'admin', '--admin-password-file', secretFile, '--master-separator', '*'], env());
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created endpoint \d+ .*admin secret stored/);
    const badCompress = await runCli(['endpoint', 'create', 'new', '--host', '127.0.0.1', '--port', '2143', '--tls', 'none', '--compress', 'fast'], env());
    assert.notEqual(badCompress.code, 0);
    assert.match(badCompress.stderr, /USAGE_INVALID.*--compress must be auto, on or off/);
    const target = await runCli(['endpoint', 'create', 'new', '--host', '127.0.0.1', '--port', '2143', '--tls', 'none', '--compress', 'off'], env());
    assert.equal(target.code, 0, target.stderr);
    assert.match(target.stdout, /compress off\)$/m);
    const listed = await runCli(['endpoint', 'list', '--json'], env());
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(MASTER_SECRET), 'the admin password never comes back');
    const { endpoints } = JSON.parse(listed.stdout) as { endpoints: Array<{ name: string; compress: string }> };
    assert.deepEqual(endpoints.map((e) => [e.name, e.compress]).sort(), [['new', 'off'], ['old', 'auto']]);

    const project = await runCli(['project', 'create', 'acme', '--source', '1', '--target', '2'], env());
    assert.equal(project.code, 0, project.stderr);
    const report = await runCli(['project', 'report', '1'], env());
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /^project:\s+acme$/m);
    assert.match(report.stdout, /^items:\s+0 migrated/m);
    assert.ok(!readFileSync(creds, 'utf8').includes(ADMIN_PW), 'the password is not stored');
  });

  test('a viewer logs in with a session: reads work, changes are refused; logout forgets it', async () => {
    const viewerCreds = join(dir, 'viewer.json');
    const venv = { ...env(), CUTOVER_CREDENTIALS: viewerCreds };
    const login = await runCli(['login', '--email', 'viewer@cutover.test'], { ...venv, CUTOVER_PASSWORD: VIEWER_PW });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /viewer.*session/);
    assert.equal((await runCli(['endpoint', 'list'], venv)).code, 0);
    const refused = await runCli(['endpoint', 'create', 'x', '--host', 'h'], venv);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /API_FORBIDDEN/);
    const out = await runCli(['logout'], venv);
    assert.match(out.stdout, /Logged out/);
    const after = await runCli(['endpoint', 'list'], venv);
    assert.match(after.stderr, /API_UNAUTHENTICATED/);
  });

  test('a wrong password is refused with a clear error and stores nothing', async () => {
    const badCreds = join(dir, 'bad.json');
    const res = await runCli(['login', '--email', 'admin@cutover.test'], { ...env(), CUTOVER_CREDENTIALS: badCreds, CUTOVER_PASSWORD: 'nope' });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /API_LOGIN_FAILED|API_UNAUTHENTICATED/);
    assert.throws(() => statSync(badCreds));
  });
});
