/**
 * The reconciler end to end with a fake clock: real PostgreSQL, a real dnsmasq, the dovecot-passwd
 * provider writing real files, the outbox; passes are simulated (recorded as instantly completed) —
 * the walk with real passes and workers comes with the queue integration. One project from draft to
 * complete over ~75 simulated days.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ManualClock } from '../../src/core/clock.ts';
import type { PassKind } from '../../src/core/ledger.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createProject } from '../../src/store/project.repository.ts';
import { listOutbox } from '../../src/store/outbox.repository.ts';
import { listAlerts } from '../../src/store/alert.repository.ts';
import { applyActions, reconcileProject } from '../../src/orchestrator/apply-actions.ts';
import { assertSettingsEditable, placeProject } from '../../src/orchestrator/commands.ts';
import { loadSnapshot } from '../../src/orchestrator/load-snapshot.ts';
import { createDnsActivities, verificationRecord } from '../../src/orchestrator/activities/dns.ts';
import { createInlineStepRunner, type StepActivityDeps } from '../../src/orchestrator/activities/step-activities.ts';
import { createNotificationQueue } from '../../src/orchestrator/notifications/queue-notification.ts';
import type { ApplyDeps } from '../../src/orchestrator/orchestrator-deps.ts';
import { createDovecotPasswdProvider } from '../../src/providers/dovecot-passwd-provider.ts';
import { startDnsmasq, type DnsmasqInstance } from '../helpers/dnsmasq.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

const HOUR = 3_600_000;
let database: TestDatabase;
let pool: pg.Pool;
let dns: DnsmasqInstance;
let dir: string;
const clock = new ManualClock('2026-04-01T10:00:00Z');
const T = new Date('2026-06-15T10:00:00Z');
const requested: Array<{ kind: PassKind; pairs: string[]; at: string }> = [];
/** Items the next simulated pass of each kind copies (new mail at the source). */
const copies: Partial<Record<PassKind, number>> = { final: 1 };

before(async () => {
  database = await testDatabase('orchestrator_walk');
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  await migrate(pool);
  dns = await startDnsmasq({ zones: ['acme.test'], records: { mx: { 'acme.test': [{ host: 'mx.legacy.test', priority: 10 }] } } });
  const root = process.env['CUTOVER_TEST_STATE'] ?? resolve(import.meta.dirname, '../../.test-state');
  mkdirSync(root, { recursive: true });
  dir = mkdtempSync(join(root, 'walk-'));
  mkdirSync(join(dir, 'home'));
  chmodSync(dir, 0o755);
});
after(async () => {
  await pool.end();
  await database.drop();
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

function wire(): ApplyDeps {
  const activityDeps: StepActivityDeps = {
    db: pool, clock, dns: createDnsActivities({ servers: [dns.server], timeoutMs: 1000 }),
    provider: () => Promise.resolve(createDovecotPasswdProvider({ usersFile: join(dir, 'users'), homeRoot: join(dir, 'home'), uid: 65534, gid: 65534, fileMode: 0o644 })),
    accounts: async (projectId) => {
      const { rows } = await pool.query<{ id: string; target_user: string }>('SELECT id, target_user FROM pairs WHERE project_id = $1 ORDER BY id', [projectId]);
      return rows.map((r) => ({ pairId: String(r.id), user: r.target_user, email: `${r.target_user}@acme.test`, password: 'pw' }));
    },
  };
  return {
    db: pool, clock,
    steps: createInlineStepRunner(activityDeps),
    notifications: createNotificationQueue({ db: pool, clock, messageIdDomain: 'cutover.test' }),
    passes: {
      // Simulated passes: recorded as completed at once, at the fake time.
      async enqueuePass(_projectId, pairIds, kind) {
        requested.push({ kind, pairs: [...pairIds], at: clock.now().toISOString() });
        for (const id of pairIds) {
          await pool.query(`INSERT INTO passes (pair_id, kind, status, started_at, finished_at, counts) VALUES ($1, $2, 'completed', $3, $3, $4)`, [id, kind, clock.now(), JSON.stringify({ copied: copies[kind] ?? 0 })]);
        }
      },
    },
  };
}

async function settle(projectId: string, deps: ApplyDeps): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const { actions, result } = await reconcileProject(projectId, deps);
    assert.deepEqual(result.errors, []);
    if (actions.length === 0) return;
  }
  assert.fail('the project did not settle');
}
const status = async (projectId: string): Promise<string | undefined> => (await loadSnapshot(pool, projectId))?.project.status;
const kinds = (kind: PassKind): string[] => requested.filter((r) => r.kind === kind).map((r) => r.at);

test('one project from draft to complete on a fake clock', async () => {
  const project = await createProject(pool, {
    name: 'walk', domains: ['acme.test'], cutoverAt: T, timeZone: 'Europe/Berlin',
    settings: { contactEmail: 'partner@msp.test', targetMxHosts: ['mx.target.test'], quietPeriodHours: 48 },
  });
  const { rows } = await pool.query<{ id: string }>(`INSERT INTO endpoints (host, port, tls_mode, auth_kind) VALUES ('dovecot', 143, 'none', 'password') RETURNING id`);
  for (const user of ['ann', 'ben']) {
    await pool.query('INSERT INTO pairs (source_endpoint_id, target_endpoint_id, source_user, target_user, project_id, target_email) VALUES ($1, $1, $2, $2, $3, $4)', [rows[0]?.id, user, project.id, `${user}@acme.test`]);
  }
  const deps = wire();
  const snapshot = await loadSnapshot(pool, project.id);
  assert.ok(snapshot);
  const token = 'tok_walk_0123456789abcdef';
  await applyActions(project.id, placeProject(snapshot, clock.now(), token), deps);

  await settle(project.id, deps);
  assert.equal(await status(project.id), 'domain_verification');

  // The TXT record appears in DNS; the next re-check (15 min later) verifies it.
  await dns.setRecords({ mx: { 'acme.test': [{ host: 'mx.legacy.test', priority: 10 }] }, txt: { 'acme.test': [verificationRecord(token)] } });
  clock.advance(15 * 60_000);
  await settle(project.id, deps);
  assert.equal(await status(project.id), 'waiting_for_cutover');
  assert.equal(kinds('full').length, 1);

  // Walk to T in 2-hour steps.
  while (clock.now().getTime() < T.getTime() - 4 * HOUR - 1) {
    clock.advance(Math.min(2 * HOUR, T.getTime() - 4 * HOUR - clock.now().getTime()));
    await settle(project.id, deps);
  }
  // The first 2-hourly tick after each planned point (T−20d, T−10d, T−42h); ticks run at hh:15.
  assert.deepEqual(kinds('resync'), ['2026-05-26T10:15:00.000Z', '2026-06-05T10:15:00.000Z', '2026-06-13T16:15:00.000Z']);
  const frozenCheck = await loadSnapshot(pool, project.id);
  assert.ok(frozenCheck);
  assert.throws(() => assertSettingsEditable(frozenCheck, clock.now()), { code: 'PROJECT_SETTINGS_FROZEN' });

  clock.set(T);
  await settle(project.id, deps);
  assert.equal(await status(project.id), 'switching_mx');
  await dns.setRecords({ mx: { 'acme.test': [{ host: 'mx.target.test', priority: 10 }] }, txt: { 'acme.test': [verificationRecord(token)] } });
  clock.advance(2 * 60_000);
  await settle(project.id, deps);
  assert.equal(await status(project.id), 'sweeping');
  assert.equal(kinds('final').length, 1);

  // Sweeps every 12 h; the source is quiet after the final passes; completion at T+5d.
  while ((await status(project.id)) === 'sweeping') {
    clock.advance(HOUR);
    await settle(project.id, deps);
    assert.ok(clock.now().getTime() < T.getTime() + 7 * 24 * HOUR, 'completion within 7 days');
  }
  assert.equal(await status(project.id), 'complete');
  assert.ok(clock.now().getTime() >= new Date('2026-06-20T10:00:00Z').getTime());

  const outbox = await listOutbox(pool, project.id);
  assert.deepEqual(outbox.map((r) => r.notification), ['txt_instructions', 'ttl_advice', 'switch_coming', 'switch_coming', 'dns_change', 'switch_done', 'switch_done', 'all_passes_done', 'completion']);
  assert.deepEqual((await listAlerts(pool, project.id)).map((a) => a.kind), []);
});
