/**
 * The checkout's root directory (the one holding package.json), found from this file's location, so
 * that files which are not code — SQL migrations, the built portal — are found the same way whether
 * the code runs from `src/` (Node strips the types at load) or from its JavaScript build in `dist/src/`
 * (`npm run build`; bin/cutover.js prefers it when it is up to date, see docs/decisions.md).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}: is the checkout complete?`);
  }
}

export const PROJECT_ROOT = findRoot(import.meta.dirname);
