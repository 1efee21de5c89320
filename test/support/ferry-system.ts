import { type ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import net from 'net';
import path from 'path';

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client, Pool } from 'pg';
import { parseAllDocuments } from 'yaml';

import { Subjects } from '@ferry/contracts';
import type { NatsConnection } from '@ferry/messaging';

const ROOT = path.resolve(__dirname, '../..');
const PG_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

export type ServiceName = 'gateway' | 'importer' | 'exporter' | 'status';
export const ALL_SERVICES: ServiceName[] = ['gateway', 'importer', 'exporter', 'status'];

export interface FerrySystem {
  baseUrl: string;
  apiKey: string;
  databaseUrl: string;
  /** Pool on this run's own database, for checking what the services wrote. */
  db: Pool;
  nats: NatsConnection;
  subjects: Subjects;
  ports: Record<ServiceName, number>;
  /** Process ids of the running services (for RSS figures and kill tests). */
  pids: Partial<Record<ServiceName, number>>;
  /** Everything a service printed, for diagnosing a failure. */
  output(name: ServiceName): string;
  /** SIGKILL one service (no drain, no shutdown hooks): a crashed process. */
  kill(name: ServiceName): Promise<void>;
  /** Starts a killed service again (same port and environment) and waits until it is ready. */
  start(name: ServiceName): Promise<void>;
  /**
   * Starts one more process of a service (another replica: same database, NATS prefix and
   * environment, its own port), waits until it is ready, and returns its pid; `stop` ends it too.
   */
  addReplica(name: ServiceName): Promise<number>;
  stop(): Promise<void>;
}

export interface FerryOptions {
  env?: Record<string, string>;
  services?: ServiceName[];
  /** Another NATS (a fault test's own server); default the shared one or $NATS_URL. */
  natsUrl?: string;
  /** Another PostgreSQL admin URL (a fault test's own cluster); default the shared one. */
  postgresUrl?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(pgUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: pgUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** NODE_OPTIONS of a service's Kubernetes manifest: the tests run it as production does. */
function manifestNodeOptions(name: ServiceName): string {
  const file = path.join(ROOT, 'deploy/base', `${name}.yaml`);
  const deployment = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .find((d) => d?.kind === 'Deployment');
  const env: Array<{ name: string; value?: string }> =
    deployment?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  return env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
}

/**
 * Starts the four built services (dist/apps/*) as separate processes on their own database and
 * their own NATS prefix (so parallel or leftover runs never meet), and waits until each is ready.
 */
export async function startFerry(opts: FerryOptions = {}): Promise<FerrySystem> {
  const pgUrl = opts.postgresUrl ?? PG_URL;
  const natsUrl = opts.natsUrl ?? NATS_URL;
  const suffix = randomBytes(4).toString('hex');
  const dbName = `ferry_e2e_${suffix}`;
  const prefix = `e2e${suffix}`;
  const apiKey = `fry_test_${randomBytes(16).toString('hex')}`;
  await admin(pgUrl, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const databaseUrl = withDatabase(pgUrl, dbName);

  const ports = {} as Record<ServiceName, number>;
  for (const s of ALL_SERVICES) ports[s] = await freePort();
  const outputs: Record<string, string[]> = {};
  const children: Partial<Record<ServiceName, ChildProcess>> = {};
  const services = opts.services ?? ALL_SERVICES;
  const pids: Partial<Record<ServiceName, number>> = {};
  const replicas: ChildProcess[] = [];
  const spawnService = (name: ServiceName, port = ports[name]): ChildProcess => {
    outputs[name] ??= [];
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps', name, 'main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        NATS_URL: natsUrl,
        FERRY_NATS_PREFIX: prefix,
        FERRY_API_KEY: apiKey,
        FERRY_ALLOW_LOOPBACK_SOURCES: 'true',
        FERRY_ALLOW_HTTP: 'true',
        // Connections' secrets are sealed with it (docs/DECISIONS.md decision 75).
        FERRY_SECRETS_KEY: randomBytes(32).toString('hex'),
        NODE_OPTIONS: manifestNodeOptions(name),
        PORT: String(port),
        HOST: '127.0.0.1',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => outputs[name].push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => outputs[name].push(d.toString()));
    if (port !== ports[name]) return child;
    children[name] = child;
    pids[name] = child.pid;
    return child;
  };
  for (const name of services) spawnService(name);

  const db = new Pool({ connectionString: databaseUrl, max: 4 });
  // A fault test may crash PostgreSQL under the pool: an idle client's error must not kill jest.
  db.on('error', () => undefined);
  const nats = await connect({
    servers: natsUrl,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  const subjects = new Subjects(prefix);
  const output = (name: ServiceName) => (outputs[name] ?? []).join('');
  const system: FerrySystem = {
    baseUrl: `http://127.0.0.1:${ports.gateway}`,
    apiKey,
    databaseUrl,
    db,
    nats,
    subjects,
    ports,
    pids,
    output,
    kill: async (name) => {
      const c = children[name];
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await exited;
    },
    start: async (name) => {
      const c = children[name];
      if (c && c.exitCode === null && c.signalCode === null) return;
      await waitReady(name, ports[name], () => output(name), spawnService(name));
    },
    addReplica: async (name) => {
      const port = await freePort();
      const child = spawnService(name, port);
      replicas.push(child);
      await waitReady(name, port, () => output(name), child);
      return child.pid ?? 0;
    },
    stop: async () => {
      await Promise.all(
        [...Object.values(children), ...replicas].map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
              c.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              c.kill('SIGTERM');
            }),
        ),
      );
      await db.end();
      if (!nats.isClosed()) {
        const jsm = await jetstreamManager(nats).catch(() => undefined);
        for (const stream of [subjects.tasksStream, subjects.dlqStream]) {
          await jsm?.streams.delete(stream).catch(() => undefined);
        }
        // Object store buckets of this run (OBJ_<prefix>_<bucket>).
        if (jsm) {
          for await (const name of jsm.streams.names()) {
            if (name.startsWith(`OBJ_${prefix}_`))
              await jsm.streams.delete(name).catch(() => false);
          }
        }
        await nats.close().catch(() => undefined);
      }
      await admin(pgUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(
        () => undefined,
      );
    },
  };

  try {
    for (const name of services)
      await waitReady(name, ports[name], () => output(name), children[name] as ChildProcess);
  } catch (err) {
    await system.stop();
    throw err;
  }
  return system;
}

async function waitReady(
  name: string,
  port: number,
  output: () => string,
  child: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within 60 s:\n${output()}`);
}
