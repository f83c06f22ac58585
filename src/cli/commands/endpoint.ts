/**
 * `cutover endpoint create|list|show|test`: the servers a project migrates between, through the API.
 * An admin (master) password is read from a file or the environment, never from the command line
 * (where `ps` would show it), and the API never returns it.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../core/app-error.ts';
import { fields, print, runApiCommand, stdio, table, withApiOptions } from '../api-command.ts';

interface EndpointData {
  id: string; name: string; host: string; port: number; tls: string; tlsVerify: boolean; authKind: string;
  adminUser: string | null; masterMethod: string | null; maxConnections: number; compress: string; hasSecret: boolean;
}

interface CreateFlags {
  host: string; port?: string; tls?: string; insecure?: boolean; cafile?: string; auth?: string;
  adminUser?: string; adminPasswordFile?: string; masterSeparator?: string; maxConnections?: string;
  compress?: string;
}

const COMPRESS_MODES = ['auto', 'on', 'off'];

function compressMode(value: string): string {
  if (!COMPRESS_MODES.includes(value)) throw new AppError('USAGE_INVALID', `--compress must be auto, on or off (got "${value}")`);
  return value;
}

function firstLine(path: string): string {
  return readFileSync(path, 'utf8').split(/\r?\n/)[0] ?? '';
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new AppError('USAGE_INVALID', `--${name} must be a whole number ≥ 1 (got "${value}")`);
  return n;
}

/** Registers `endpoint`. */
export function registerEndpoint(program: Command): void {
  const endpoint = program.command('endpoint').description('Source and target servers of projects (through the API)');

  withApiOptions(endpoint.command('create <name>').description('Add an IMAP server'))
    .requiredOption('--host <host>', 'server name or address')
    .option('--port <port>', 'port (default 993 with implicit TLS, else 143)')
    .option('--tls <mode>', 'implicit | starttls | none (default implicit)')
    .option('--insecure', 'do not verify the certificate (only for servers you trust)')
    .option('--cafile <pem>', 'trust this CA for the certificate')
    .option('--auth <kind>', 'password (each pair its own password) | master (one admin acts as every user) | oauth2', 'password')
    .option('--admin-user <user>', 'the admin (master) user, with --auth master')
    .option('--admin-password-file <file>', 'file whose first line is the admin password (default $CUTOVER_ADMIN_SECRET)')
    .option('--master-separator <char>', 'log in as user<char>admin instead of SASL PLAIN authzid (Dovecot: *)')
    .option('--max-connections <n>', 'most connections to this server at once, across all workers (default 4)')
    .option('--compress <mode>', 'COMPRESS=DEFLATE (RFC 4978): auto (only when the round trip is 10 ms or more) | on (whenever offered) | off', 'auto')
    .action((name: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const o = cmd.opts<CreateFlags>();
      const secret = o.adminPasswordFile ? firstLine(o.adminPasswordFile) : process.env['CUTOVER_ADMIN_SECRET'];
      const body = {
        name, host: o.host, ...(o.port ? { port: number('port', o.port) } : {}), tls: o.tls ?? 'implicit',
        tlsVerify: !o.insecure, ...(o.cafile ? { tlsCa: readFileSync(o.cafile, 'utf8') } : {}), authKind: o.auth ?? 'password',
        ...(o.adminUser ? { adminUser: o.adminUser } : {}), ...(secret ? { adminPassword: secret } : {}),
        ...(o.masterSeparator ? { masterMethod: 'separator', masterSeparator: o.masterSeparator } : o.auth === 'master' ? { masterMethod: 'authzid' } : {}),
        ...(o.maxConnections ? { maxConnections: number('max-connections', o.maxConnections) } : {}),
        compress: compressMode(o.compress ?? 'auto'),
      };
      const created = await client.post<EndpointData>('/api/endpoints', body);
      print(stdio, flags, created, () => `Created endpoint ${created.id} (${created.name}: ${created.host}:${created.port}, ${created.tls}, ${created.authKind}${created.hasSecret ? ', admin secret stored' : ''}${created.compress === 'auto' ? '' : `, compress ${created.compress}`})`);
    }));

  withApiOptions(endpoint.command('list').description('List endpoints'))
    .action((_opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const { endpoints } = await client.get<{ endpoints: EndpointData[] }>('/api/endpoints');
      print(stdio, flags, { endpoints }, () => table(['id', 'name', 'server', 'tls', 'auth', 'cap', 'secret'],
        endpoints.map((e) => [e.id, e.name, `${e.host}:${e.port}`, e.tlsVerify ? e.tls : `${e.tls} (unverified)`, e.adminUser ? `${e.authKind} (${e.adminUser})` : e.authKind, e.maxConnections, e.hasSecret ? 'stored' : '-'])));
    }));

  withApiOptions(endpoint.command('show <id>').description('Show one endpoint'))
    .action((id: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const e = await client.get<EndpointData>(`/api/endpoints/${encodeURIComponent(id)}`);
      print(stdio, flags, e, () => fields(Object.entries(e)));
    }));

  withApiOptions(endpoint.command('test <id>').description('Log in to the endpoint as an account and show its capabilities'))
    .option('--user <user>', 'account to log in as')
    .option('--password-file <file>', 'its password (password endpoints; default $CUTOVER_PASSWORD)')
    .action((id: string, _opts: unknown, cmd: Command) => runApiCommand(cmd, async (client, flags) => {
      const o = cmd.opts<{ user?: string; passwordFile?: string }>();
      const password = o.passwordFile ? firstLine(o.passwordFile) : process.env['CUTOVER_PASSWORD'];
      const result = await client.post<{ ok: boolean; server: string; capabilities?: string[]; error: { code: string; message: string; hint: string } | null }>(
        `/api/endpoints/${encodeURIComponent(id)}/test`, { ...(o.user ? { user: o.user } : {}), ...(password ? { password } : {}) });
      print(stdio, flags, result, () => result.ok
        ? `OK: logged in to ${result.server}\n  capabilities: ${(result.capabilities ?? []).join(' ')}`
        : `FAILED: ${result.server}: ${result.error?.code} ${result.error?.message}\n  ${result.error?.hint}`);
      return result.ok ? 0 : 1;
    }));
}
