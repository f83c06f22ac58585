/**
 * A stand-in for the CLI in embedded-db tests: opens the database of a data folder, writes a row, prints
 * one JSON line `{ "pid": …, "ready": true }` and waits to be killed. With `signals`, Ctrl-C/SIGTERM stop
 * the database and exit like the CLI (130 / 143).
 */
import { openDatabase } from '../../src/store/open-database.ts';
import { stopOnSignals } from '../../src/store/stop-on-signals.ts';

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: embedded-db-holder.ts DATA_DIR [signals]');
const db = await openDatabase({ dataDir });
if (mode === 'signals') stopOnSignals(db);
await db.pool.query('CREATE TABLE IF NOT EXISTS holder_rows (pid integer NOT NULL)');
await db.pool.query('INSERT INTO holder_rows (pid) VALUES ($1)', [process.pid]);
process.stdout.write(`${JSON.stringify({ pid: process.pid, ready: true })}\n`);
setInterval(() => undefined, 60_000);
