/**
 * The `cutover` command line. Each verb lives in commands/<verb>.ts and registers itself here.
 *
 * Only the module of the verb being run is loaded: `serve` pulls in Fastify, pg-boss and the API
 * (≈0.5 s and ≈40 MB on the reference machine), which a `cutover sync` delta pass of a tenth of a
 * second should not pay for. With no known verb (`cutover`, `cutover --help`) every verb is loaded,
 * so help lists them all.
 */
import { Command } from 'commander';

type Register = (program: Command) => void;

const VERBS: Readonly<Record<string, () => Promise<Register>>> = {
  sync: async () => (await import('./commands/sync.ts')).registerSync,
  login: async () => (await import('./commands/login.ts')).registerLogin,
  logout: async () => (await import('./commands/login.ts')).registerLogin,
  endpoint: async () => (await import('./commands/endpoint.ts')).registerEndpoint,
  project: async () => (await import('./commands/project.ts')).registerProject,
  pair: async () => (await import('./commands/pair.ts')).registerPair,
  doctor: async () => (await import('./commands/doctor.ts')).registerDoctor,
  serve: async () => (await import('./commands/serve.ts')).registerServe,
  worker: async () => (await import('./commands/worker.ts')).registerWorker,
};

const program = new Command()
  .name('cutover')
  .description('Self-hosted email migration: copy mailboxes between IMAP servers without losing or doubling a message.')
  .version('0.1.0')
  .showHelpAfterError();

const verb = process.argv[2];
const loaders = verb !== undefined && Object.hasOwn(VERBS, verb) ? [VERBS[verb]] : Object.values(VERBS);
const registered = new Set<Register>();
for (const load of loaders) {
  if (!load) continue;
  const register = await load();
  // login.ts registers both login and logout: once.
  if (registered.has(register)) continue;
  registered.add(register);
  register(program);
}

await program.parseAsync(process.argv);
