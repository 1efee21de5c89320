#!/usr/bin/env node
// Renders every overlay in deploy/overlays with `kubectl kustomize` (offline) and validates each
// object against the Kubernetes OpenAPI schemas (kubernetes-models, KEDA's CRD for ScaledObject),
// then checks Ferry's own rules: probes, resources, graceful shutdown longer than the ack wait,
// and a KEDA trigger on the importer's and the exporter's consumer of every entity type (and on
// the importer's consumer of split imports' parts).
// Then deploy/monitoring: the Grafana dashboard (JSON) and the Prometheus rules (YAML), their
// structure, and that every ferry_* metric they name is one the code serves (no network).
// Prints one line per check and `N passed, N failed`; appends the counts to $FERRY_TEST_RESULTS.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { parseAllDocuments } from 'yaml';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const ACK_WAIT_SECONDS = 30;

/** The values of `enum EntityType` in libs/contracts/src/enums.ts, the one list of entity types. */
function entityTypes() {
  const source = readFileSync(path.join(root, 'libs/contracts/src/enums.ts'), 'utf8');
  const body = /export enum EntityType \{([^}]*)\}/.exec(source)?.[1];
  const values = [...(body ?? '').matchAll(/=\s*'([A-Z_]+)'/g)].map((m) => m[1]);
  if (values.length === 0) throw new Error('libs/contracts/src/enums.ts: no enum EntityType found');
  return values;
}
const ENTITY_TYPES = entityTypes();

/**
 * The entity types whose imports may be read in parts (`splittable: true` in their import
 * definition, libs/transfer/src/entity-types/<type>/): the importer has one more consumer each,
 * `importer_parts_<type>` (docs/DECISIONS.md 128).
 */
function splittableTypes() {
  const dir = path.join(root, 'libs/transfer/src/entity-types');
  return readdirSync(dir).filter((type) =>
    readdirSync(path.join(dir, type)).some(
      (f) =>
        f.endsWith('.import.ts') &&
        /splittable:\s*true/.test(readFileSync(path.join(dir, type, f), 'utf8')),
    ),
  );
}
const SPLITTABLE_TYPES = splittableTypes();
/** The ScaledObjects that scale a worker on the lag of its consumers `<service>_<entity>`. */
const SCALED_WORKERS = { 'ferry-importer': 'importer', 'ferry-exporter': 'exporter' };

/** A worker scaled on only some of its consumers would leave the others' tasks waiting. */
function kedaRules(doc) {
  const service = SCALED_WORKERS[doc.metadata?.name];
  if (doc.kind !== 'ScaledObject' || !service) return [];
  const consumers = new Set(
    (doc.spec.triggers ?? [])
      .filter((t) => t.type === 'nats-jetstream')
      .map((t) => t.metadata?.consumer),
  );
  const expected = ENTITY_TYPES.map((e) => `${service}_${e.toLowerCase()}`);
  if (service === 'importer') expected.push(...SPLITTABLE_TYPES.map((t) => `importer_parts_${t}`));
  const problems = expected
    .filter((c) => !consumers.has(c))
    .map((c) => `no KEDA trigger for consumer ${c} (EntityType in libs/contracts/src/enums.ts)`);
  for (const c of consumers) {
    if (!expected.includes(c))
      problems.push(`KEDA trigger for ${c}, which is no entity type's consumer`);
  }
  return problems;
}

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const module =
    group === 'keda.sh'
      ? `@kubernetes-models/keda/keda.sh/${version}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  const models = await import(module);
  const Model = models[kind];
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return Model;
}

function ferryRules(doc) {
  const problems = [];
  if (!['Deployment', 'StatefulSet'].includes(doc.kind)) return problems;
  const pod = doc.spec.template.spec;
  for (const c of pod.containers) {
    if (!c.readinessProbe || !c.livenessProbe)
      problems.push(`${c.name}: liveness and readiness probes`);
    if (!c.resources?.requests || !c.resources?.limits?.memory)
      problems.push(`${c.name}: resource requests and a memory limit`);
  }
  if (
    doc.metadata.name.startsWith('ferry-') &&
    !((pod.terminationGracePeriodSeconds ?? 30) > ACK_WAIT_SECONDS)
  ) {
    problems.push(`terminationGracePeriodSeconds must exceed the ${ACK_WAIT_SECONDS} s ack wait`);
  }
  return problems;
}

let passed = 0;
let failed = 0;
const overlays = readdirSync(path.join(root, 'deploy/overlays'));
for (const overlay of overlays) {
  let rendered;
  try {
    rendered = execFileSync('kubectl', ['kustomize', path.join(root, 'deploy/overlays', overlay)], {
      encoding: 'utf8',
    });
  } catch (err) {
    failed++;
    console.log(`✕ ${overlay}: kustomize failed: ${err.message}`);
    continue;
  }
  const scaled = new Set();
  for (const d of parseAllDocuments(rendered)) {
    const doc = d.toJSON();
    if (!doc) continue;
    const name = `${overlay}: ${doc.kind}/${doc.metadata?.name}`;
    if (doc.kind === 'ScaledObject') scaled.add(doc.metadata?.name);
    try {
      const Model = await modelFor(doc.apiVersion, doc.kind);
      new Model(doc).validate();
      const problems = [...ferryRules(doc), ...kedaRules(doc)];
      if (problems.length) throw new Error(problems.join('; '));
      passed++;
      console.log(`✓ ${name}`);
    } catch (err) {
      failed++;
      console.log(`✕ ${name}: ${err.message}`);
    }
  }
  for (const worker of Object.keys(SCALED_WORKERS)) {
    if (scaled.has(worker)) continue;
    failed++;
    console.log(`✕ ${overlay}: no ScaledObject/${worker} (its consumers would not scale)`);
  }
}
/** Every file under `dir` whose name ends in one of `exts`. */
function sources(dir, exts) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (entry === 'node_modules' || entry === 'testing') continue;
    if (statSync(full).isDirectory()) out.push(...sources(full, exts));
    else if (exts.some((e) => entry.endsWith(e)) && !/\.(integration-)?spec\.ts$/.test(entry))
      out.push(full);
  }
  return out;
}

/**
 * The metric names the services serve: every `name: 'ferry_…'` and `gaugeFromCallback('ferry_…'`
 * in apps/ and libs/, the series a histogram adds (`_bucket`, `_sum`, `_count`), and prom-client's
 * default metrics under the `ferry_` prefix (collectDefaultMetrics in libs/telemetry).
 */
function servedMetrics() {
  const names = new Set();
  for (const file of [
    ...sources(path.join(root, 'apps'), ['.ts']),
    ...sources(path.join(root, 'libs'), ['.ts']),
  ]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /new (Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'(ferry_[a-z0-9_]+)'/g,
    )) {
      names.add(m[2]);
      if (m[1] === 'Histogram' || m[1] === 'Summary')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(m[2] + suffix);
    }
    for (const m of text.matchAll(/gaugeFromCallback\(\s*'(ferry_[a-z0-9_]+)'/g)) names.add(m[1]);
  }
  const defaults = path.join(root, 'node_modules/prom-client/lib/metrics');
  for (const file of sources(defaults, ['.js'])) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/'((?:process|nodejs)_[a-z0-9_]+)'/g)) {
      names.add(`ferry_${m[1]}`);
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`ferry_${m[1]}${suffix}`);
    }
  }
  return names;
}

/** The ferry_* names an expression reads, and its obvious syntax faults. */
function exprProblems(expr, served) {
  const problems = [];
  for (const m of expr.matchAll(/\bferry_[a-z0-9_]+/g))
    if (!served.has(m[0])) problems.push(`${m[0]} is not served by any service`);
  let depth = 0;
  for (const ch of expr.replace(/"[^"]*"/g, '""')) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (depth < 0) break;
  }
  if (depth !== 0) problems.push(`unbalanced brackets in ${expr.trim()}`);
  if (!/\bferry_/.test(expr)) problems.push(`reads no ferry_ metric: ${expr.trim()}`);
  return problems;
}

function check(name, problems) {
  if (problems.length) {
    failed++;
    console.log(`✕ ${name}: ${problems.join('; ')}`);
  } else {
    passed++;
    console.log(`✓ ${name}`);
  }
}

const served = servedMetrics();
const monitoring = path.join(root, 'deploy/monitoring');
try {
  const dashboard = JSON.parse(
    readFileSync(path.join(monitoring, 'grafana-dashboard.json'), 'utf8'),
  );
  const top = [];
  for (const key of ['title', 'uid']) if (typeof dashboard[key] !== 'string') top.push(`no ${key}`);
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0) top.push('no panels');
  const ids = new Set();
  for (const p of dashboard.panels ?? []) {
    const problems = [];
    if (ids.has(p.id)) problems.push(`duplicate panel id ${p.id}`);
    ids.add(p.id);
    const g = p.gridPos ?? {};
    if (![g.x, g.y, g.w, g.h].every(Number.isInteger) || g.x + g.w > 24)
      problems.push('gridPos needs whole x, y, w, h within 24 columns');
    if (p.type === 'row') continue;
    if (!p.title || !p.type) problems.push('a panel needs a title and a type');
    if (!Array.isArray(p.targets) || p.targets.length === 0) problems.push('no targets');
    for (const t of p.targets ?? []) problems.push(...exprProblems(String(t.expr ?? ''), served));
    check(`monitoring: dashboard panel "${p.title}"`, problems);
  }
  check('monitoring: grafana-dashboard.json', top);
} catch (err) {
  check('monitoring: grafana-dashboard.json', [err.message]);
}
try {
  const [doc, ...more] = parseAllDocuments(
    readFileSync(path.join(monitoring, 'prometheus-rules.yaml'), 'utf8'),
  );
  if (doc.errors.length || more.length)
    throw new Error(doc.errors[0]?.message ?? 'one YAML document expected');
  const rules = doc.toJSON();
  if (!Array.isArray(rules?.groups) || rules.groups.length === 0) throw new Error('no groups');
  const wanted = new Set([
    'FerryTasksStuck',
    'FerryConsumerLag',
    'FerryDeadLetters',
    'FerryOutboxBacklog',
  ]);
  for (const group of rules.groups) {
    for (const r of group.rules ?? []) {
      const problems = [];
      if (!/^[A-Z][A-Za-z0-9]+$/.test(r.alert ?? '')) problems.push('alert needs a CamelCase name');
      if (r.for !== undefined && !/^\d+[smhd]$/.test(r.for))
        problems.push(`for "${r.for}" is no duration`);
      if (!['critical', 'warning', 'info'].includes(r.labels?.severity))
        problems.push('labels.severity');
      if (!r.annotations?.summary || !r.annotations?.description)
        problems.push('annotations summary and description');
      problems.push(...exprProblems(String(r.expr ?? ''), served));
      wanted.delete(r.alert);
      check(`monitoring: alert ${r.alert}`, problems);
    }
  }
  check(
    'monitoring: prometheus-rules.yaml',
    [...wanted].map((a) => `no ${a} alert`),
  );
} catch (err) {
  check('monitoring: prometheus-rules.yaml', [err.message]);
}

console.log(`\n${passed} passed, ${failed} failed`);
if (process.env.FERRY_TEST_RESULTS) {
  appendFileSync(
    process.env.FERRY_TEST_RESULTS,
    JSON.stringify({ config: 'deploy', passed, failed }) + '\n',
  );
}
process.exit(failed || !passed ? 1 : 0);
