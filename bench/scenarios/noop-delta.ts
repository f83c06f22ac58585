/**
 * No-op delta against mailbox size and against folder count: the rerun right after a full pass, with
 * nothing changed on the source (maildir target, loopback). Pairs another scenario already ran are
 * reused (the 20k no-op is the 20k full pass's rerun). Only tools that keep sync state take part.
 */
import type { Tool } from '../tools/types.ts';
import type { Lab } from './lab.ts';
import type { ToolsOn } from './profiles.ts';

export async function runNoopDelta(lab: Lab, tools: readonly Tool[], plans: readonly ToolsOn[]): Promise<void> {
  for (const plan of plans) {
    for (const tool of tools) {
      if (tool.incremental && plan.tools.includes(tool.name)) await lab.fullPair(tool, plan.corpus, 'maildir', 0);
    }
  }
}
