#!/usr/bin/env node
// `npm start`: install, bring up PostgreSQL and NATS when needed, build, and run the four services
// in the foreground (Ctrl-C stops them). Settings come from the environment (README, Configuration).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  ensureDependencies,
  ensureNats,
  ensurePostgres,
  log,
  manifestNodeOptions,
  nx,
  root,
} from './lib/system.mjs';

const env = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ferry',
  NATS_URL: 'nats://127.0.0.1:4222',
  // A local system imports files served from this machine over plain http; a deployment leaves
  // both off (https only, public addresses and FERRY_FETCH_ALLOW_LIST only).
  FERRY_ALLOW_LOOPBACK_SOURCES: 'true',
  FERRY_ALLOW_HTTP: 'true',
  FERRY_LOG_FORMAT: 'text',
  ...process.env,
};

// Connection secrets (S3 keys of scheduled exports) are sealed with FERRY_SECRETS_KEY. A local
// system makes one on first start and keeps it in .ferry/, so its sealed secrets survive restarts;
// a deployment sets its own (README, Configuration).
if (!env.FERRY_SECRETS_KEY) {
  const keyFile = path.join(root, '.ferry', 'secrets.key');
  if (!existsSync(keyFile)) {
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
    log(`made a secrets key for connections in ${path.relative(root, keyFile)}`);
  }
  env.FERRY_SECRETS_KEY = readFileSync(keyFile, 'utf8').trim();
}

ensureDependencies();
await ensurePostgres(env.DATABASE_URL);
await ensureNats(env.NATS_URL);
const { createDatabaseIfMissing } = await import(
  path.join(root, 'scripts/lib/create-database.mjs')
);
await createDatabaseIfMissing(env.DATABASE_URL);
log('building…');
nx(['run-many', '-t', 'build', '--parallel=2']);

const services = [
  ['gateway', { PORT: env.GATEWAY_PORT ?? '3000' }],
  ['importer', { PORT: env.IMPORTER_PORT ?? '3001' }],
  ['exporter', { PORT: env.EXPORTER_PORT ?? '3002' }],
  ['status', { PORT: env.STATUS_PORT ?? '3003' }],
];
const nodeOptions = Object.fromEntries(
  await Promise.all(services.map(async ([name]) => [name, await manifestNodeOptions(name)])),
);
const children = services.map(([name, extra]) => {
  const child = spawn(process.execPath, [path.join(root, 'dist/apps', name, 'main.js')], {
    env: { ...env, NODE_OPTIONS: nodeOptions[name], ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.length)
      .map((l) => `[${name}] ${l}\n`)
      .join('');
  child.stdout.on('data', (c) => process.stdout.write(prefix(c)));
  child.stderr.on('data', (c) => process.stderr.write(prefix(c)));
  child.on('exit', (code) => {
    log(`${name} exited (${code})`);
    if (!stopping) stop(1);
  });
  return child;
});
log(`gateway on http://127.0.0.1:${env.GATEWAY_PORT ?? 3000} — Ctrl-C stops everything`);

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 15000).unref();
  Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r)))),
  ).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
