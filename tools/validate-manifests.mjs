#!/usr/bin/env node
// Renders every overlay in deploy/overlays with `kubectl kustomize` (offline) and validates each
// object against the Kubernetes OpenAPI schemas (kubernetes-models, KEDA's CRD for ScaledObject),
// then checks Ferry's own rules: probes, resources, graceful shutdown longer than the ack wait,
// and a KEDA trigger on the importer's and the exporter's consumer of every entity type.
// Prints one line per check and `N passed, N failed`; appends the counts to $FERRY_TEST_RESULTS.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
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
console.log(`\n${passed} passed, ${failed} failed`);
if (process.env.FERRY_TEST_RESULTS) {
  appendFileSync(
    process.env.FERRY_TEST_RESULTS,
    JSON.stringify({ config: 'deploy', passed, failed }) + '\n',
  );
}
process.exit(failed || !passed ? 1 : 0);
