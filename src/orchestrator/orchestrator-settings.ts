/**
 * The per-project settings the orchestrator reads from `projects.settings` (jsonb, edited in the
 * portal). One schema, all defaults in one object; unknown keys are left to other parts of Cutover.
 */
import { z } from 'zod';

/** Defaults of every orchestrator setting (docs/status-flow.md explains each). */
export const ORCHESTRATOR_DEFAULTS = {
  /** Who gets the partner emails (TXT instructions, DNS change, readiness, completion). */
  contactEmail: null as string | null,
  contactName: '',
  /** Host names the domain's MX must point to after the cutover (the target's inbound servers). */
  targetMxHosts: [] as string[],
  /** Hours without new mail at the source before the project may complete (after T+5d). */
  quietPeriodHours: 48,
  /** Hours between sweep rounds while sweeping. */
  sweepIntervalHours: 12,
  /** Days after T before completion is considered. */
  completionAfterDays: 5,
  /** Email end users before and after the switch. */
  notifyEndUsers: true,
  /** Hours before T that end users are told the switch is coming. */
  userNoticeLeadHours: 24,
  /** Days before T the MX TTL is read and lowering it is advised. */
  ttlAdviceLeadDays: 3,
  /** The TTL (seconds) the MX record should have at the cutover. */
  maxMxTtlSeconds: 300,
  /** Minutes between TXT re-checks while the domain is unverified. */
  domainRecheckMinutes: 15,
  /** Minutes between MX re-checks around the cutover. */
  mxRecheckMinutes: 1,
  /** Consecutive failed passes of one pair before an alert. */
  passFailureAlertThreshold: 3,
  /** From address of notifications; the server default when null. */
  fromEmail: null as string | null,
};

/** The parsed orchestrator settings of one project. */
export type OrchestratorSettings = {
  readonly [K in keyof typeof ORCHESTRATOR_DEFAULTS]: (typeof ORCHESTRATOR_DEFAULTS)[K];
};

const positive = z.number().positive();
const schema = z.object({
  contactEmail: z.string().email().nullable().optional(),
  contactName: z.string().optional(),
  targetMxHosts: z.array(z.string().min(1)).optional(),
  quietPeriodHours: z.number().min(0).optional(),
  sweepIntervalHours: positive.optional(),
  completionAfterDays: z.number().min(0).optional(),
  notifyEndUsers: z.boolean().optional(),
  userNoticeLeadHours: z.number().min(0).optional(),
  ttlAdviceLeadDays: z.number().min(0).optional(),
  maxMxTtlSeconds: positive.optional(),
  domainRecheckMinutes: positive.optional(),
  mxRecheckMinutes: positive.optional(),
  passFailureAlertThreshold: z.number().int().min(1).optional(),
  fromEmail: z.string().email().nullable().optional(),
});

/** The problems of a settings object (empty when valid): `key: message`, one per invalid key. */
export function settingsProblems(raw: Readonly<Record<string, unknown>>): string[] {
  const result = schema.safeParse(raw);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/**
 * Reads the orchestrator's settings with defaults. Invalid values fall back to the default (the API
 * validates on write with `settingsProblems`; the reconciler must never crash on stored data).
 */
export function readOrchestratorSettings(raw: Readonly<Record<string, unknown>>): OrchestratorSettings {
  const out: Record<string, unknown> = { ...ORCHESTRATOR_DEFAULTS };
  const shape = schema.shape;
  for (const key of Object.keys(shape) as Array<keyof typeof shape>) {
    if (!Object.hasOwn(raw, key)) continue;
    const parsed = shape[key].safeParse(raw[key]);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return out as OrchestratorSettings;
}
