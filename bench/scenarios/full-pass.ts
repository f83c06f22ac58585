/**
 * Full pass (and the no-op rerun right after it) of each tool, per target kind on loopback and per
 * round-trip time: msg/s, MB/s, CPU s per 1,000 messages, peak RSS and tree PSS. Tools run one after
 * another, never at once, each into its own empty target account, all from the same warm source.
 */
import type { Tool } from '../tools/types.ts';
import type { Lab } from './lab.ts';
import type { CopyPlan } from './profiles.ts';

export async function runCopyPlans(lab: Lab, tools: readonly Tool[], plans: readonly CopyPlan[]): Promise<void> {
  for (const plan of plans) {
    for (const kind of plan.kinds) {
      for (const rttMs of plan.rttMs) {
        for (const tool of tools) {
          if (plan.tools.includes(tool.name)) await lab.fullPair(tool, plan.corpus, kind, rttMs);
        }
      }
    }
  }
}
