/**
 * Notifications end to end against real PostgreSQL and a real SMTP server on loopback: queued once per
 * (project, key, recipient), sent once, retried with backoff, never re-sent after a crash mid-send,
 * and never sent twice by two senders at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { ManualClock } from '../../src/core/clock.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createProject } from '../../src/store/project.repository.ts';
import { claimDueOutbox, listOutbox } from '../../src/store/outbox.repository.ts';
import { saveTemplateOverride } from '../../src/store/notification-template.repository.ts';
import { listEvents } from '../../src/store/project-flow.repository.ts';
import { applyActions } from '../../src/orchestrator/apply-actions.ts';
import { placeProject } from '../../src/orchestrator/commands.ts';
import { loadSnapshot } from '../../src/orchestrator/load-snapshot.ts';
import { createNotificationQueue } from '../../src/orchestrator/notifications/queue-notification.ts';
import { createOutboxSender } from '../../src/orchestrator/notifications/outbox-sender.ts';
import { createSmtpTransport } from '../../src/orchestrator/notifications/smtp-transport.ts';
import type { ApplyDeps } from '../../src/orchestrator/orchestrator-deps.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let database: TestDatabase;
let pool: pg.Pool;
let sink: SmtpSink;
const clock = new ManualClock('2026-05-01T08:00:00Z');

before(async () => {
  database = await testDatabase('orchestrator_outbox');
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  // The crash test leaves a client behind on purpose; when the database is dropped at the end, its
  // "terminating connection" must not surface as an uncaught error (the store's createPool does the same).
  pool.on('error', () => undefined);
  await migrate(pool);
  sink = await startSmtpSink();
});
after(async () => {
  await pool.end();
  await database.drop();
  await sink.stop();
});

async function newProject(name: string, users = 0): Promise<string> {
  const project = await createProject(pool, {
    name, domains: ['acme.test'], cutoverAt: new Date('2026-06-15T10:00:00Z'), timeZone: 'Europe/Berlin',
    settings: { contactEmail: 'partner@msp.test', contactName: 'Pat', targetMxHosts: ['mx.target.test'] },
  });
  if (users > 0) {
    const { rows } = await pool.query<{ id: string }>(`INSERT INTO endpoints (host, port, tls_mode, auth_kind) VALUES ('h-${name}', 143, 'none', 'password') RETURNING id`);
    const endpoint = rows[0]?.id;
    for (let i = 0; i < users; i++) {
      await pool.query(`INSERT INTO pairs (source_endpoint_id, target_endpoint_id, source_user, target_user, project_id, target_email) VALUES ($1, $1, $2, $2, $3, $4)`, [endpoint, `u${i}`, project.id, `user${i}@acme.test`]);
    }
  }
  return project.id;
}

function deps(): ApplyDeps {
  return {
    db: pool, clock,
    passes: { enqueuePass: () => Promise.resolve() },
    steps: { runStep: () => Promise.resolve() },
    notifications: createNotificationQueue({ db: pool, clock, messageIdDomain: 'cutover.test' }),
  };
}

const transport = (): ReturnType<typeof createSmtpTransport> => createSmtpTransport({ host: sink.host, port: sink.port, tls: 'none', timeoutSeconds: 5 });

test('placing a project, then the TXT instructions: queued once, sent once, with the token', async () => {
  const projectId = await newProject('acme');
  const snapshot = await loadSnapshot(pool, projectId);
  assert.ok(snapshot);
  const result = await applyActions(projectId, placeProject(snapshot, clock.now(), 'tok_0123456789abcdef'), deps());
  assert.deepEqual(result, { applied: 2, skipped: 0, errors: [] });
  assert.equal((await loadSnapshot(pool, projectId))?.project.status, 'provisioning');

  const action = { type: 'sendNotification', notification: 'txt_instructions', audience: 'contact', key: 'notify:txt_instructions' } as const;
  await applyActions(projectId, [action, action], deps());
  const rows = await listOutbox(pool, projectId);
  assert.equal(rows.length, 1);
  assert.ok((await listEvents(pool, projectId)).some((e) => e.key === 'notify:txt_instructions'));

  const sender = createOutboxSender({ db: pool, clock, transport: transport(), from: 'cutover@msp.test' });
  const before = sink.received.length;
  assert.deepEqual(await sender.sendDue(), { sent: 1, retried: 0, failed: 0, inDoubt: 0 });
  assert.deepEqual(await sender.sendDue(), { sent: 0, retried: 0, failed: 0, inDoubt: 0 });
  const mail = sink.received.slice(before);
  assert.equal(mail.length, 1);
  assert.deepEqual(mail[0]?.to, ['partner@msp.test']);
  assert.match(mail[0]?.subject ?? '', /\[acme\] Please publish a DNS TXT record for acme\.test/);
  assert.match(mail[0]?.text ?? '', /Value: cutover-verification=tok_0123456789abcdef/);
  assert.match(mail[0]?.text ?? '', /2026-06-15\s+12:00, Europe\/Berlin/); // T in the project's zone
  assert.match(mail[0]?.raw ?? '', /^Date: Fri, 01 May 2026 08:00:00 \+0000/m); // the fake clock
  assert.equal(mail[0]?.messageId, rows[0]?.messageId);
});

test('a template override replaces the default (per project)', async () => {
  const projectId = await newProject('override');
  await saveTemplateOverride(pool, { projectId, notification: 'dns_change', subject: 'Switch MX of {{domains}} now', body: 'Point it to {{targetMxHosts}}.', by: 'admin', at: clock.now() });
  await createNotificationQueue({ db: pool, clock, messageIdDomain: 'cutover.test' }).queue(projectId, 'dns_change', 'contact', 'notify:dns_change@x');
  const [row] = await listOutbox(pool, projectId);
  assert.equal(row?.subject, 'Switch MX of acme.test now');
  assert.equal(row?.body, 'Point it to mx.target.test.');
  const sender = createOutboxSender({ db: pool, clock, transport: transport(), from: 'cutover@msp.test' });
  assert.deepEqual(await sender.sendDue(), { sent: 1, retried: 0, failed: 0, inDoubt: 0 });
  assert.equal(sink.received.at(-1)?.subject, 'Switch MX of acme.test now');
});

test('end users: one message per user; a transient refusal is retried with backoff, a permanent one fails', async () => {
  const projectId = await newProject('users', 3);
  await createNotificationQueue({ db: pool, clock, messageIdDomain: 'cutover.test' }).queue(projectId, 'switch_coming', 'users', 'notify:switch_coming@T');
  const sender = createOutboxSender({ db: pool, clock, transport: transport(), from: 'cutover@msp.test', backoffMs: 60_000, maxAttempts: 3 });
  sink.refuseNext(1, 451);
  const start = sink.received.length;
  assert.deepEqual(await sender.sendDue(), { sent: 2, retried: 1, failed: 0, inDoubt: 0 });
  // Not due yet: backoff 60 s.
  clock.advance(59_000);
  assert.deepEqual(await sender.sendDue(), { sent: 0, retried: 0, failed: 0, inDoubt: 0 });
  clock.advance(1_000);
  assert.deepEqual(await sender.sendDue(), { sent: 1, retried: 0, failed: 0, inDoubt: 0 });
  const got = sink.received.slice(start).map((m) => m.to[0]).sort();
  assert.deepEqual(got, ['user0@acme.test', 'user1@acme.test', 'user2@acme.test']);

  await createNotificationQueue({ db: pool, clock, messageIdDomain: 'cutover.test' }).queue(projectId, 'switch_done', 'users', 'notify:switch_done@T');
  sink.refuseNext(1, 550);
  assert.deepEqual(await sender.sendDue(), { sent: 2, retried: 0, failed: 1, inDoubt: 0 });
  const failed = (await listOutbox(pool, projectId)).filter((r) => r.status === 'failed');
  assert.equal(failed.length, 1);
  assert.match(failed[0]?.lastError ?? '', /550/);
});

test('a sender that crashed mid-send: the row becomes in_doubt and is never sent again', async () => {
  const projectId = await newProject('crash');
  await createNotificationQueue({ db: pool, clock, messageIdDomain: 'cutover.test' }).queue(projectId, 'completion', 'contact', 'notify:completion');
  // The "crashed" sender claimed the row (committed `sending`) and died.
  const claimed = await claimDueOutbox(pool, clock.now(), 10);
  assert.equal(claimed.length, 1);
  const sender = createOutboxSender({ db: pool, clock, transport: transport(), from: 'cutover@msp.test', leaseMs: 600_000 });
  const start = sink.received.length;
  assert.deepEqual(await sender.sendDue(), { sent: 0, retried: 0, failed: 0, inDoubt: 0 });
  clock.advance(600_001);
  assert.deepEqual(await sender.sendDue(), { sent: 0, retried: 0, failed: 0, inDoubt: 1 });
  assert.deepEqual(await sender.sendDue(), { sent: 0, retried: 0, failed: 0, inDoubt: 0 });
  assert.equal(sink.received.length, start);
  assert.equal((await listOutbox(pool, projectId))[0]?.status, 'in_doubt');
});

test('two senders at once (SKIP LOCKED): every message exactly once', async () => {
  const projectId = await newProject('parallel', 12);
  await createNotificationQueue({ db: pool, clock, messageIdDomain: 'cutover.test' }).queue(projectId, 'switch_coming', 'users', 'notify:switch_coming@P');
  const start = sink.received.length;
  const a = createOutboxSender({ db: pool, clock, transport: transport(), from: 'cutover@msp.test' });
  const b = createOutboxSender({ db: pool, clock, transport: transport(), from: 'cutover@msp.test' });
  const reports = await Promise.all([a.sendDue(4), b.sendDue(4), a.sendDue(4), b.sendDue(4)]);
  assert.equal(reports.reduce((n, r) => n + r.sent, 0), 12);
  const got = sink.received.slice(start).map((m) => m.to[0] ?? '');
  assert.equal(got.length, 12);
  assert.equal(new Set(got).size, 12);
});
