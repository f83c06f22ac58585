#!/usr/bin/env node
// Entry point of the `cutover` command. The project runs on Node 22 (the `node` npm dependency puts
// it first on PATH for `npm run` and `npx`); TypeScript runs by Node's type stripping, no build step.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `cutover needs Node >= 22.18 (this is ${process.version}). Run it as \`npx cutover\` or \`npm run cutover --\` ` +
      'from the checkout after `npm install`: the project ships Node 22 as a dependency.\n',
  );
  process.exit(2);
}
await import('../src/cli/main.ts');
