/**
 * The Dovecot servers of the benchmark: one source kind and the target kinds of issue 7 — maildir
 * and mdbox, fsync off and on, and a "cloud" target that advertises what Gmail- or Exchange-like
 * servers lack. Each is an independent Dovecot 2.3 on loopback (test/helpers/dovecot.ts).
 */
import { startDovecot } from '../test/helpers/dovecot.ts';
import type { DovecotInstance } from '../test/helpers/dovecot.ts';

export type ServerKind = 'maildir' | 'maildir-fsync' | 'mdbox' | 'cloud';
export const SERVER_KINDS: readonly ServerKind[] = ['maildir', 'maildir-fsync', 'mdbox', 'cloud'];

/** Capabilities the 'cloud' kind does not advertise. */
export const CLOUD_HIDDEN = ['CONDSTORE', 'QRESYNC', 'MULTIAPPEND', 'COMPRESS=DEFLATE', 'LITERAL+', 'LITERAL-', 'LIST-STATUS'] as const;

/**
 * Exactly what the 'cloud' kind advertises (imap_capability, before and after login; Dovecot adds
 * AUTH=PLAIN AUTH=LOGIN before login): Dovecot 2.3.19's own list minus CLOUD_HIDDEN. So a client
 * gets no CONDSTORE/QRESYNC (RFC 7162: no MODSEQ-based change detection), no MULTIAPPEND (RFC 3502:
 * one message per APPEND), no LITERAL+/LITERAL- (RFC 7888: every literal waits for a continuation),
 * no LIST-STATUS (RFC 5819: one STATUS per folder), no COMPRESS (RFC 4978) — like Exchange Online and
 * Gmail, which lack most of these. Dovecot still *accepts* them if a client uses them unannounced; a
 * well-behaved client does not.
 */
export const CLOUD_CAPABILITIES = [
  'IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'SORT', 'SORT=DISPLAY',
  'THREAD=REFERENCES', 'THREAD=REFS', 'THREAD=ORDEREDSUBJECT', 'URL-PARTIAL', 'CATENATE', 'UNSELECT',
  'CHILDREN', 'NAMESPACE', 'UIDPLUS', 'LIST-EXTENDED', 'I18NLEVEL=1', 'ESEARCH', 'ESORT', 'SEARCHRES',
  'WITHIN', 'CONTEXT=SEARCH', 'BINARY', 'MOVE', 'SNIPPET=FUZZY', 'PREVIEW=FUZZY', 'PREVIEW',
  'STATUS=SIZE', 'SAVEDATE', 'NOTIFY',
].join(' ');

interface KindConfig {
  storage: 'maildir' | 'mdbox';
  fsync: 'never' | 'optimized';
  capabilities?: string;
  description: string;
}

const KINDS: Record<ServerKind, KindConfig> = {
  maildir: { storage: 'maildir', fsync: 'never', description: 'Dovecot maildir, mail_fsync=never' },
  // 'optimized' is Dovecot's default and what production servers run: every saved message file is
  // fsynced before the APPEND's OK. 'always' would add fsyncs of the rebuildable index files on top,
  // which no default installation pays, so it would overstate the cost of durable storage.
  'maildir-fsync': { storage: 'maildir', fsync: 'optimized', description: 'Dovecot maildir, mail_fsync=optimized (default: saved mail fsynced)' },
  mdbox: { storage: 'mdbox', fsync: 'never', description: 'Dovecot mdbox (10 MB storage files), mail_fsync=never' },
  cloud: { storage: 'maildir', fsync: 'optimized', capabilities: CLOUD_CAPABILITIES, description: `Dovecot maildir, mail_fsync=optimized, without ${CLOUD_HIDDEN.join(' ')}` },
};

export interface BenchServer extends DovecotInstance {
  kind: ServerKind;
  /** One line for reports: storage, fsync, what is hidden. */
  description: string;
}

export interface BenchServerOptions {
  name: string;
  kind: ServerKind;
  /** user -> password */
  users: Record<string, string>;
  /**
   * A state dir to keep and reuse across runs (mail survives stop()); default a fresh one that stop()
   * removes. corpus/cache.ts uses it for seeded sources.
   */
  stateDir?: string;
  /** Also offer COMPRESS=DEFLATE (imap_zlib). Off by default: on loopback it only costs CPU. Ignored for 'cloud'. */
  compress?: boolean;
}

/** Starts a Dovecot of the given kind on 127.0.0.1 and a free port. */
export async function startBenchServer(opts: BenchServerOptions): Promise<BenchServer> {
  const config = KINDS[opts.kind];
  const instance = await startDovecot({
    name: opts.name,
    users: opts.users,
    storage: config.storage,
    fsync: config.fsync,
    ...(config.capabilities !== undefined ? { capabilities: config.capabilities } : {}),
    ...(opts.compress && opts.kind !== 'cloud' ? { compress: true } : {}),
    ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
  });
  return Object.assign(instance, { kind: opts.kind, description: `${config.description}${opts.compress && opts.kind !== 'cloud' ? ', COMPRESS=DEFLATE' : ''}` });
}
