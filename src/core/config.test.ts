import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from './app-error.ts';
import { CONFIG_DEFAULTS, describeConfig, loadConfig } from './config.ts';

const KEY_B64 = Buffer.alloc(32, 7).toString('base64');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'cutover-config-'));

function configError(fn: () => unknown): { message: string; keys: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(isAppError(err), String(err));
    assert.equal(err.code, 'CONFIG_INVALID');
    return { message: err.message, keys: String(err.details['keys']) };
  }
  assert.fail('expected CONFIG_INVALID');
}

test('defaults apply when nothing is set, and the result is frozen', () => {
  const config = loadConfig({ env: { CUTOVER_SECRET_KEY: KEY_B64 }, defaultWorkerName: 'w1' });
  assert.equal(config.port, CONFIG_DEFAULTS.port);
  assert.equal(config.host, CONFIG_DEFAULTS.host);
  assert.equal(config.workerConcurrency, CONFIG_DEFAULTS.workerConcurrency);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.workerName, 'w1');
  assert.equal(config.secretKeySource, 'env');
  assert.deepEqual(config.secretKey, Buffer.alloc(32, 7));
  assert.ok(Object.isFrozen(config));
  assert.throws(() => {
    (config as { port: number }).port = 1;
  }, TypeError);
});

test('flags win over the config file, which wins over the environment', () => {
  const dir = tmp();
  const file = join(dir, 'cutover.json');
  writeFileSync(file, JSON.stringify({ port: 9000, host: '0.0.0.0', workerConcurrency: 3 }));
  const config = loadConfig({
    env: { CUTOVER_SECRET_KEY: KEY_B64, CUTOVER_PORT: '7000', CUTOVER_HOST: '10.0.0.1', CUTOVER_WORKER_CONCURRENCY: '9', CUTOVER_LOG_LEVEL: 'debug' },
    flags: { config: file, port: '9100' },
  });
  assert.equal(config.port, 9100);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.workerConcurrency, 3);
  assert.equal(config.logLevel, 'debug');
});

test('flags are read under the names commander gives them (--concurrency sets workerConcurrency)', () => {
  const config = loadConfig({
    env: { CUTOVER_SECRET_KEY: KEY_B64, CUTOVER_WORKER_CONCURRENCY: '9' },
    flags: { concurrency: '16', passConnections: '3', workerName: 'w1', workerConcurrency: '2' },
  });
  assert.equal(config.workerConcurrency, 16, '--concurrency wins over the environment');
  assert.equal(config.passConnections, 3);
  assert.equal(config.workerName, 'w1');
});

test('every invalid key is listed at once, with where it came from', () => {
  const dir = tmp();
  const file = join(dir, 'cutover.json');
  writeFileSync(file, JSON.stringify({ workerConcurrency: 0, colour: 'blue' }));
  const { message, keys } = configError(() =>
    loadConfig({
      env: { CUTOVER_SECRET_KEY: KEY_B64, CUTOVER_PORT: '70000', DATABASE_URL: 'mysql://x', CUTOVER_LOG_LEVEL: 'loud' },
      flags: { jobHeartbeatSeconds: '3' },
      file,
    }),
  );
  for (const expected of ['port (CUTOVER_PORT)', 'databaseUrl (DATABASE_URL)', 'logLevel (CUTOVER_LOG_LEVEL)', 'colour', `workerConcurrency (workerConcurrency in ${file})`, 'jobHeartbeatSeconds (--job-heartbeat-seconds)']) {
    assert.ok(message.includes(expected), `${expected} missing from:\n${message}`);
  }
  assert.ok(keys.split(', ').length >= 6, keys);
  assert.match(message, /6 problems/);
});

test('a bad secret key is reported without its value', () => {
  const { message } = configError(() => loadConfig({ env: { CUTOVER_SECRET_KEY: 'not-a-key-secret-value' } }));
  assert.match(message, /secretKey \(CUTOVER_SECRET_KEY\)/);
  assert.ok(!message.includes('not-a-key-secret-value'));
});

test('without a key a worker refuses to start; serve generates one (0600) and reuses it', () => {
  const dataDir = tmp();
  const { message } = configError(() => loadConfig({ env: { CUTOVER_DATA_DIR: dataDir } }));
  assert.match(message, /CUTOVER_SECRET_KEY/);

  const first = loadConfig({ env: { CUTOVER_DATA_DIR: dataDir }, generateSecretKey: true });
  assert.equal(first.secretKeySource, 'generated');
  const keyFile = join(dataDir, 'secret.key');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.equal(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').length, 32);

  const again = loadConfig({ env: { CUTOVER_DATA_DIR: dataDir }, generateSecretKey: true });
  assert.equal(again.secretKeySource, 'file');
  assert.deepEqual(again.secretKey, first.secretKey);
  // A worker on the same machine may read the existing file.
  assert.deepEqual(loadConfig({ env: { CUTOVER_DATA_DIR: dataDir } }).secretKey, first.secretKey);
});

test('a key file readable by others is refused', () => {
  const dir = tmp();
  const keyFile = join(dir, 'k');
  writeFileSync(keyFile, KEY_B64, { mode: 0o644 });
  const { message } = configError(() => loadConfig({ env: { CUTOVER_SECRET_KEY_FILE: keyFile } }));
  assert.match(message, /chmod 600/);
});

test('unreadable or malformed config files are reported', () => {
  const dir = tmp();
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ nope');
  assert.match(configError(() => loadConfig({ env: { CUTOVER_SECRET_KEY: KEY_B64 }, file: bad })).message, /not valid JSON/);
  assert.match(configError(() => loadConfig({ env: { CUTOVER_SECRET_KEY: KEY_B64 }, file: join(dir, 'missing.json') })).message, /cannot be read/);
});

test('describeConfig hides secrets and the database password', () => {
  const config = loadConfig({
    env: { CUTOVER_SECRET_KEY: KEY_B64, DATABASE_URL: 'postgres://u:hunter2hunter2@db.example:5433/cut', CUTOVER_ADMIN_EMAIL: 'a@example.com', CUTOVER_ADMIN_PASSWORD: 'correct horse battery' },
  });
  const text = JSON.stringify(describeConfig(config));
  assert.ok(!text.includes('hunter2'), text);
  assert.ok(!text.includes('correct horse'), text);
  assert.ok(!text.includes(KEY_B64), text);
  assert.match(text, /db\.example:5433\/cut/);
});

test('an admin password needs an admin email', () => {
  assert.match(configError(() => loadConfig({ env: { CUTOVER_SECRET_KEY: KEY_B64, CUTOVER_ADMIN_PASSWORD: 'long enough password' } })).message, /adminEmail/);
});
