#!/usr/bin/env node
// `npm test`: install, make sure PostgreSQL and NATS answer, validate the Kubernetes manifests,
// check formatting, lint, type-check, run every project's unit specs (no infrastructure) and
// integration specs (real PostgreSQL and NATS), build, then run the cross-service suites in test/
// against the built services, and last the unit tier and one cross-service suite again on Node 24
// (the image's runtime) when this run is on another Node. Ends with one line `N passed, N failed`
// over every Jest run (the CI reads it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { findNode24 } from './lib/node24.mjs';
import { ensureDependencies, ensureNats, ensurePostgres, log, root } from './lib/system.mjs';

const env = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  NATS_URL: 'nats://127.0.0.1:4222',
  ...process.env,
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
};
const resultsDir = path.join(root, 'tmp');
const results = path.join(resultsDir, 'test-results.jsonl');
mkdirSync(resultsDir, { recursive: true });
rmSync(results, { force: true });
env.FERRY_TEST_RESULTS = results;

ensureDependencies();
await ensurePostgres(env.DATABASE_URL);
await ensureNats(env.NATS_URL);

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const stages = [];
const resultLines = () =>
  existsSync(results)
    ? readFileSync(results, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
function stage(name, cmd, args, stageEnv = env) {
  log(`${name}: ${path.basename(cmd)} ${args.join(' ')}`);
  const started = Date.now();
  const before = resultLines().length;
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: stageEnv });
  const counted = resultLines().slice(before);
  stages.push({
    name,
    ok: r.status === 0,
    seconds: Math.round((Date.now() - started) / 1000),
    // A stage that failed without a failing test (lint, build, a crashed runner) counts as one.
    uncountedFailure: r.status !== 0 && !counted.some((l) => l.failed > 0),
    nodeVersions: counted.map((l) => l.node),
  });
}

stage('manifests', process.execPath, ['tools/validate-manifests.mjs']);
stage('format', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
// Unit tests skip Nx's cache so that every run really runs (and is counted).
stage('lint', bin('nx'), ['run-many', '-t', 'lint', '--parallel=2']);
// The CLI, these scripts and the manifest checker are plain ESM outside the Nx projects.
stage('lint tools', bin('eslint'), ['--max-warnings=0', 'tools', 'scripts']);
// Specs and test/ are transpiled without type checks when they run: check every file here.
stage('typecheck', bin('tsc'), ['-p', 'tsconfig.check.json']);
stage('unit tests', bin('nx'), ['run-many', '-t', 'test', '--parallel=2', '--skip-nx-cache']);
stage('integration tests', bin('nx'), [
  'run-many',
  '-t',
  'integration',
  '--parallel=1',
  '--skip-nx-cache',
]);
stage('build', bin('nx'), ['run-many', '-t', 'build', '--parallel=2']);
const built = stages.at(-1).ok;
const only = process.argv.slice(2);
if (built) {
  stage('cross-service tests', bin('jest'), [
    '--config',
    'test/jest.config.cjs',
    '--runInBand',
    ...only,
  ]);
}

// The image runs Node 24 (deploy/Dockerfile), this machine Node 20: the pure unit tier and one
// cross-service suite (the four services spawned by that Node, S3 and the built-in store included)
// run again on 24, about 30 s. A run on 24 already, or without the binary, says so and skips it.
const node24 = built && only.length === 0 ? findNode24() : null;
if (node24?.skipped) log(`node 24 stage skipped: ${node24.skipped}`);
if (node24?.bin) {
  const env24 = { ...env, PATH: `${path.dirname(node24.bin)}${path.delimiter}${env.PATH}` };
  stage(
    `node ${node24.version}: unit tests`,
    node24.bin,
    [realpathSync(bin('nx')), ...['run-many', '-t', 'test', '--parallel=2', '--skip-nx-cache']],
    env24,
  );
  stage(
    `node ${node24.version}: cross-service`,
    node24.bin,
    [
      realpathSync(bin('jest')),
      ...['--config', 'test/jest.config.cjs', '--runInBand', 'test/e2e/events-export.e2e-spec.ts'],
    ],
    env24,
  );
  // Every Jest run of the stage must have reported Node 24: a PATH that let Node 20 in fails it.
  const ran = stages.slice(-2).flatMap((s) => s.nodeVersions);
  if (ran.length === 0 || ran.some((v) => !v?.startsWith('v24.'))) {
    log(`node 24 stage ran on ${[...new Set(ran)].join(', ') || 'nothing'}`);
    stages.push({
      name: 'node 24: runtime check',
      ok: false,
      seconds: 0,
      uncountedFailure: true,
      nodeVersions: [],
    });
  }
}

let passed = 0;
let failed = 0;
for (const r of resultLines()) {
  passed += r.passed;
  failed += r.failed;
}
for (const s of stages) log(`${s.ok ? 'ok    ' : 'FAILED'} ${s.name} (${s.seconds} s)`);
const broken = stages.filter((s) => !s.ok);
const uncounted = broken.filter((s) => s.uncountedFailure).length;
const summary = `${passed} passed, ${failed + uncounted} failed`;
writeFileSync(path.join(resultsDir, 'test-summary.txt'), summary + '\n');
process.stdout.write(`\n${summary}\n`);
process.exit(broken.length || failed || passed === 0 ? 1 : 0);
