/**
 * Command-line options of `npm run bench`. A plain `npm run bench` runs the `standard` profile, the
 * one docs/benchmarks.md reports.
 */
import { parseArgs } from 'node:util';
import { PROFILES, SCENARIOS } from './scenarios/profiles.ts';
import type { ProfileName, ScenarioName } from './scenarios/profiles.ts';
import { ALL_TOOLS } from './tools/types.ts';
import type { ToolName } from './tools/types.ts';

export interface BenchArgs {
  profile: ProfileName;
  /** Scenarios to run, in SCENARIOS order. */
  scenarios: ScenarioName[];
  tools: ToolName[];
  /** Connections per side for the tools that have the setting (Cutover, offlineimap). */
  connections: number;
  /** Keep Dovecot state, data folders and tool state under bench/.work for post-mortems. */
  keep: boolean;
}

const USAGE = `npm run bench -- [--profile quick|standard|full] [--only ${SCENARIOS.join(',')}]
                 [--tools ${ALL_TOOLS.join(',')}] [--connections N] [--keep]`;

function list<T extends string>(name: string, value: string | undefined, known: readonly T[]): T[] {
  if (value === undefined) return [...known];
  const items = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  for (const item of items) {
    if (!known.includes(item as T)) throw new Error(`--${name}: unknown "${item}" (known: ${known.join(', ')})\n${USAGE}`);
  }
  return known.filter((k) => items.includes(k));
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      profile: { type: 'string' },
      only: { type: 'string' },
      tools: { type: 'string' },
      connections: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const profile = (values.profile ?? 'standard') as ProfileName;
  if (!PROFILES.includes(profile)) throw new Error(`--profile: unknown "${profile}" (known: ${PROFILES.join(', ')})\n${USAGE}`);
  const tools = list('tools', values.tools, ALL_TOOLS);
  // Cutover is what the others are compared with; without it there are no ratios and no goals.
  if (!tools.includes('cutover')) tools.unshift('cutover');
  const connections = Number(values.connections ?? 4);
  if (!Number.isInteger(connections) || connections < 1) throw new Error(`--connections must be a whole number ≥ 1\n${USAGE}`);
  return { profile, scenarios: list('only', values.only, SCENARIOS), tools, connections, keep: values.keep ?? false };
}
