/**
 * The orchestrator wired into a running process (`cutover serve`; also safe in more processes): the
 * ApplyDeps over the queue, the inline step runner with real DNS and providers, the outbox sender
 * over SMTP, and the periodic tick. One tick reconciles every active project — each under a
 * transaction-scoped advisory lock, so two processes never reconcile one project at once (the loser
 * skips it until its next tick) — and then sends the due notifications (the outbox claims rows with
 * SKIP LOCKED, safe anywhere). In fake-clock mode the admin clock API calls `tick()` after each move.
 */
import type pg from 'pg';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { TaskQueue } from '../../queue/task-queue.ts';
import { listActiveProjectIds } from '../../store/project-flow.repository.ts';
import { createDnsActivities, type DnsActivities } from '../activities/dns.ts';
import { createInlineStepRunner, type StepActivityDeps } from '../activities/step-activities.ts';
import { reconcileProject } from '../apply-actions.ts';
import { createOutboxSender, type OutboxSender, type SendReport } from '../notifications/outbox-sender.ts';
import { createNotificationQueue } from '../notifications/queue-notification.ts';
import { createSmtpTransport, type SmtpSettings } from '../notifications/smtp-transport.ts';
import type { ApplyDeps } from '../orchestrator-deps.ts';
import { createQueuePassScheduler } from '../pass-scheduler-adapter.ts';
import { providerFor, targetAccounts } from './project-targets.ts';
import { readinessProblems } from './readiness-checks.ts';

/** First key of the per-project reconcile lock (apart from the pair locks, see advisory-locks.ts). */
export const RECONCILE_LOCK_CLASS = 0x43757402;

/** What the runtime needs. */
export interface OrchestratorRuntimeOptions {
  readonly db: pg.Pool;
  readonly clock: Clock;
  readonly queue: TaskQueue;
  readonly secretKey: Buffer;
  readonly logger: Logger;
  readonly dnsServers?: readonly string[];
  /** No SMTP: notifications stay in the outbox (`pending`). */
  readonly smtp?: SmtpSettings;
  readonly from?: string;
  /** Real-time interval of the periodic tick (default 30 s). */
  readonly intervalMs?: number;
}

/** What one tick did. */
export interface TickReport {
  readonly projects: number;
  /** Projects another process was reconciling (skipped). */
  readonly busy: number;
  readonly actions: number;
  readonly errors: number;
  readonly outbox: SendReport | null;
}

/** The running orchestrator of a process. */
export interface OrchestratorRuntime {
  readonly clock: Clock;
  readonly applyDeps: ApplyDeps;
  readonly dns: DnsActivities;
  /** One tick now (after the running one, if any). */
  tick(): Promise<TickReport>;
  /** Reconciles one project now, under its lock; false when another process holds it. */
  reconcile(projectId: string): Promise<boolean>;
  start(): void;
  stop(): Promise<void>;
}

/** How often one project is reconciled within a tick while actions keep changing something. */
const MAX_SETTLE = 8;

export function createOrchestratorRuntime(options: OrchestratorRuntimeOptions): OrchestratorRuntime {
  const { db, clock, logger } = options;
  const log = logger.child({ component: 'orchestrator' });
  const dns = createDnsActivities({ servers: options.dnsServers ?? [], timeoutMs: 2000, tries: 2 });
  const activityDeps: StepActivityDeps = {
    db, clock, dns, logger: log,
    provider: (projectId) => providerFor(db, options.secretKey, projectId),
    accounts: (projectId) => targetAccounts(db, options.secretKey, projectId, log),
    readinessProblems: (projectId) => readinessProblems(db, options.secretKey, projectId),
  };
  const from = options.from ?? 'cutover@localhost';
  const applyDeps: ApplyDeps = {
    db, clock, logger: log,
    steps: createInlineStepRunner(activityDeps),
    passes: createQueuePassScheduler({ db, queue: options.queue }, log),
    notifications: createNotificationQueue({ db, clock, messageIdDomain: from.split('@')[1] ?? 'localhost' }),
  };
  const sender: OutboxSender | null = options.smtp
    ? createOutboxSender({ db, clock, transport: createSmtpTransport(options.smtp), from, logger: log })
    : null;

  const reconcileLocked = async (projectId: string): Promise<{ locked: boolean; actions: number; errors: number }> => {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [RECONCILE_LOCK_CLASS, Number(projectId)]);
      if (rows[0]?.ok !== true) return { locked: false, actions: 0, errors: 0 };
      let actions = 0;
      let errors = 0;
      // Steps run inline and change what decide sees (a verified domain moves the status on): settle.
      for (let i = 0; i < MAX_SETTLE; i++) {
        const { actions: done, result } = await reconcileProject(projectId, applyDeps);
        actions += done.length;
        errors += result.errors.length;
        if (result.applied === 0) break;
      }
      return { locked: true, actions, errors };
    } finally {
      // The lock goes with the transaction; nothing else was written on this connection.
      await client.query('COMMIT').catch(() => undefined);
      client.release();
    }
  };

  let running: Promise<TickReport> = Promise.resolve({ projects: 0, busy: 0, actions: 0, errors: 0, outbox: null });
  const runTick = async (): Promise<TickReport> => {
    const ids = await listActiveProjectIds(db);
    let busy = 0;
    let actions = 0;
    let errors = 0;
    for (const id of ids) {
      try {
        const r = await reconcileLocked(id);
        if (!r.locked) busy++;
        actions += r.actions;
        errors += r.errors;
      } catch (err) {
        errors++;
        log.error({ projectId: id, err }, 'reconcile failed');
      }
    }
    const outbox = sender ? await sender.sendDue(100).catch((err: unknown) => {
      log.error({ err }, 'outbox send failed');
      return null;
    }) : null;
    if (actions > 0 || (outbox?.sent ?? 0) > 0) log.debug({ projects: ids.length, actions, errors, outbox, now: clock.now().toISOString() }, 'reconciler tick');
    return { projects: ids.length, busy, actions, errors, outbox };
  };
  // Ticks never overlap within a process: the timer and the clock API queue behind each other.
  const tick = (): Promise<TickReport> => {
    running = running.catch(() => undefined).then(runTick);
    return running;
  };

  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const intervalMs = options.intervalMs ?? 30_000;
  const loop = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().catch((err: unknown) => log.error({ err }, 'reconciler tick failed')).finally(loop);
    }, intervalMs);
  };

  return {
    clock, applyDeps, dns, tick,
    async reconcile(projectId) {
      return (await reconcileLocked(projectId)).locked;
    },
    start() {
      if (timer === null && !stopped) loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
