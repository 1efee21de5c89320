// Shared by `npm start` and `npm test`: make sure dependencies are installed and that PostgreSQL and
// NATS (with JetStream) answer, starting local ones when none is reachable. Node built-ins only, so
// it runs before `npm ci`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const stateDir = path.join(root, '.ferry');

export function log(msg) {
  process.stdout.write(`[ferry] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** npm ci when node_modules is missing or older than the lock file. */
export function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

export function canConnect(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(host, port, what, seconds = 30) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await canConnect(host, port)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not come up on ${host}:${port} within ${seconds} s`);
}

function hostPort(url, defaultPort) {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

/** PostgreSQL: the machine's cluster if there is one, else a private cluster under .ferry/pg. */
export async function ensurePostgres(databaseUrl) {
  const { host, port } = hostPort(databaseUrl, 5432);
  if (await canConnect(host, port)) return;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`PostgreSQL at ${host}:${port} is not reachable (DATABASE_URL)`);
  }
  if (
    which('pg_ctlcluster') &&
    existsSync('/etc/postgresql') &&
    readdirSync('/etc/postgresql').length
  ) {
    const version = readdirSync('/etc/postgresql')[0];
    log(`starting PostgreSQL ${version} (pg_ctlcluster)…`);
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  } else if (which('initdb') && which('pg_ctl')) {
    const dir = path.join(stateDir, 'pg');
    if (!existsSync(path.join(dir, 'PG_VERSION'))) {
      log(`creating a PostgreSQL cluster in ${dir}…`);
      mkdirSync(dir, { recursive: true });
      run('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    }
    log(`starting PostgreSQL on ${port}…`);
    run('pg_ctl', [
      '-D',
      dir,
      '-l',
      path.join(stateDir, 'pg.log'),
      '-o',
      `-p ${port} -k /tmp -c listen_addresses=127.0.0.1`,
      '-w',
      'start',
    ]);
  } else {
    throw new Error('PostgreSQL is not reachable and not installed: apt-get install postgresql');
  }
  await waitFor(host, port, 'PostgreSQL');
}

/** NATS with JetStream: started from the nats-server binary when none answers. */
export async function ensureNats(natsUrl) {
  const { host, port } = hostPort(natsUrl.split(',')[0].replace(/^nats:/, 'http:'), 4222);
  if (await canConnect(host, port)) return;
  const bin =
    which('nats-server') ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : null);
  if (!bin)
    throw new Error(
      'NATS is not reachable and nats-server is not installed: apt-get install nats-server',
    );
  const dir = path.join(stateDir, 'nats');
  mkdirSync(dir, { recursive: true });
  log(`starting nats-server with JetStream on ${port}…`);
  const out = openSync(path.join(stateDir, 'nats.log'), 'a');
  spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
    detached: true,
    stdio: ['ignore', out, out],
  }).unref();
  await waitFor(host, port, 'NATS');
}

export function nx(args, env = {}) {
  run(path.join(root, 'node_modules', '.bin', 'nx'), args, {
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', ...env },
  });
}

/**
 * NODE_OPTIONS a service's Kubernetes manifest sets (deploy/base/<service>.yaml), so that a local
 * start and the tests run each service with the same V8 settings as production. '' when none.
 */
export async function manifestNodeOptions(service) {
  const file = path.join(root, 'deploy/base', `${service}.yaml`);
  if (!existsSync(file)) return '';
  // Imported here: this module runs before `npm ci` has installed yaml.
  const { parseAllDocuments } = await import('yaml');
  const deployment = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .find((d) => d?.kind === 'Deployment');
  const env = deployment?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  return env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
}
