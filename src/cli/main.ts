/**
 * The `cutover` command line. Each verb lives in commands/<verb>.ts and registers itself here.
 */
import { Command } from 'commander';
import { registerSync } from './commands/sync.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerPair } from './commands/pair.ts';
import { registerProject } from './commands/project.ts';
import { registerEndpoint } from './commands/endpoint.ts';
import { registerLogin } from './commands/login.ts';
import { registerServe } from './commands/serve.ts';
import { registerWorker } from './commands/worker.ts';

const program = new Command()
  .name('cutover')
  .description('Self-hosted email migration: copy mailboxes between IMAP servers without losing or doubling a message.')
  .version('0.1.0')
  .showHelpAfterError();

registerSync(program);
registerLogin(program);
registerEndpoint(program);
registerProject(program);
registerPair(program);
registerDoctor(program);
registerServe(program);
registerWorker(program);

await program.parseAsync(process.argv);
