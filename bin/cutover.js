#!/usr/bin/env node
// Entry point of the `cutover` command. The project runs on Node 22 (the `node` npm dependency puts
// it first on PATH for `npm run` and `npx`); TypeScript runs by Node's type stripping, or from its build (below).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `cutover needs Node >= 22.18 (this is ${process.version}). Run it as \`npx cutover\` or \`npm run cutover --\` ` +
      'from the checkout after `npm install`: the project ships Node 22 as a dependency.\n',
  );
  process.exit(2);
}
// `npm run build` compiles src/ to dist/ (tsc): starting from JavaScript skips stripping the types of
// ~230 files at every start (≈0.15–0.25 s) and the stripper's memory (≈30 MB of RSS per process). The
// build is used only while no source file is newer than it, so an edited checkout never runs stale
// code: it runs from src/ until the next build. CUTOVER_FROM_SOURCE=1 forces src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function buildIsCurrent() {
  const root = join(import.meta.dirname, '..');
  const stamp = join(root, 'dist', '.built');
  if (process.env.CUTOVER_FROM_SOURCE === '1' || !existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    if (statSync(join(entry.parentPath, entry.name)).mtimeMs > built) return false;
  }
  return true;
}

if (buildIsCurrent()) await import('../dist/src/cli/main.js');
else await import('../src/cli/main.ts');
