#!/usr/bin/env node
// `ferry`: the command-line client of the Ferry API. Node 20 built-ins and fetch only.
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

import { ApiError, FerryClient } from './lib/client.mjs';
import { followTask } from './lib/follow.mjs';
import { ProgressView } from './lib/progress.mjs';
import { printTable, SCHEDULE_COLUMNS } from './lib/table.mjs';

const USAGE = `usage: ferry <command> [options]

  import <entity> <url|file> [--type csv|json] [--name NAME] [--max-errors N]
                       [--dry-run] [--strict] [--atomic] [--max-error-ratio R [--min-rows N]]
                       [--webhook URL] [--allow-rejects] [--no-wait]
                       create an import task and follow it to the end
  export <entity> [--format csv|json] [--to URL] [-o FILE] [--no-wait]
                       create an export task, follow it, write FILE when the download answers
  tasks [--type IMPORT|EXPORT] [--entity E] [--status S] [--schedule ID] [--limit N] [--offset N] [--json]
                       list tasks, newest first
  task <task_id> [--json]
                       one task: status, counts, times (the TaskResponse with --json)
  watch <task_id> [--allow-rejects]
                       follow a task to its end
  revert <task_id> [--yes] [--no-wait]
                       what undoing an import deletes, restores and keeps; --yes reverts it
                       (a task of its own, once per import)
  cancel <task_id>     stop a PENDING or PROCESSING task (FAILED; committed rows stay)
  retry <task_id> [--allow-rejects] [--no-wait]
                       run a FAILED task again from its checkpoint, and follow it
  errors <task_id> [-o FILE]
                       an import's rejected rows as CSV (to stdout, or FILE)
  download <task_id> [-o FILE]
                       an export's file (to FILE, default its name; - for stdout)
  schedules list [--entity E] [--json]
  schedules create <entity> <interval> [--connection ID|store] [--bucket B] [--prefix P]
                   [--mode incremental|window] [--gzip] [--columns a,b,c] [--disabled]
  schedules show <id>
  schedules runs <id> [--limit N] [--offset N] [--json]
  schedules run <id> [--from TIME --to TIME]
  schedules enable|disable|delete <id>
                       scheduled exports (intervals 15MIN 30MIN hourly daily weekly monthly;
                       entities in lower case); runs are EXPORT tasks: ferry tasks --schedule <id>
  keys list [--all] [--json]
  keys create <name> [--publishable] [--expires TIME] [--manage]
  keys revoke <key_id>
                       API keys of the key's environment (needs key:manage); a new key is shown once
  admin create-tenant --name NAME [--environment NAME] [--key-name NAME]
                       operator: a tenant, its environment and first key, straight into
                       DATABASE_URL (runs the built gateway: dist/apps/gateway/main.js)

entities: {entities}
options:  --api-url URL (or FERRY_API_URL, default http://127.0.0.1:3000)
          --api-key KEY (or FERRY_API_KEY)
exit codes: 0 done, 1 usage or API error, 2 the task FAILED, 3 rows were rejected
            (0 with --allow-rejects)`;

export const EXIT = { OK: 0, ERROR: 1, FAILED: 2, REJECTED: 3 };
const COMMON = {
  'api-url': { type: 'string' },
  'api-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

class UsageError extends Error {}

/** The entity types the gateway takes: its OpenAPI document's EntityType, never a copy here. */
async function entityTypes(client) {
  try {
    return await client.apiEnum('EntityType');
  } catch (err) {
    throw new Error(
      `the entity types are read from ${client.apiUrl}/docs-json, which did not answer: ${err.message}`,
    );
  }
}

async function entityArg(client, value) {
  const entities = await entityTypes(client);
  const e = String(value ?? '').toUpperCase();
  if (!entities.includes(e))
    throw new UsageError(`entity must be one of ${entities.join(', ').toLowerCase()}`);
  return e;
}

/** `--api-url` (also before the command is parsed, for the help), FERRY_API_URL, or the default. */
function apiUrlFrom(values, argv = []) {
  const i = argv.findIndex((a) => a === '--api-url' || a.startsWith('--api-url='));
  const fromArgv = i < 0 ? undefined : argv[i].includes('=') ? argv[i].slice(10) : argv[i + 1];
  return values['api-url'] ?? fromArgv ?? process.env.FERRY_API_URL ?? 'http://127.0.0.1:3000';
}

/** The usage text, its entity list from the gateway (or why it could not be read). */
async function usage(argv) {
  const client = new FerryClient(apiUrlFrom({}, argv));
  const entities = await entityTypes(client).then(
    (list) => list.join(', ').toLowerCase(),
    (err) => `unknown: ${err.message}`,
  );
  return USAGE.replace('{entities}', entities);
}

function fileTypeArg(value, source) {
  if (value) {
    const t = value.toUpperCase();
    if (t !== 'CSV' && t !== 'JSON') throw new UsageError('--type must be csv or json');
    return t;
  }
  // From the name: .json, .ndjson, .jsonl (also gzipped) are JSON, the rest CSV.
  const path = source.replace(/[?#].*$/, '').replace(/\.gz$/i, '');
  return /\.(nd)?jsonl?$|\.json$/i.test(path) ? 'JSON' : 'CSV';
}

function clientFrom(values) {
  const apiUrl = apiUrlFrom(values);
  const apiKey = values['api-key'] ?? process.env.FERRY_API_KEY;
  if (!apiKey) throw new UsageError('an API key is needed: --api-key or FERRY_API_KEY');
  return new FerryClient(apiUrl, apiKey);
}

const isUrl = (s) => /^(https?|s3|store):\/\//i.test(s);
const fmt = (n) => (n == null ? '?' : Number(n).toLocaleString('en-US'));

/** One line with the end state, and the exit code it means. */
function finish(task, allowRejects) {
  const secs =
    task.started_at && (task.completed_at || task.failed_at)
      ? (
          (Date.parse(task.completed_at || task.failed_at) - Date.parse(task.started_at)) /
          1000
        ).toFixed(1)
      : null;
  const out = process.stdout;
  out.write(
    `${task.id} ${task.task_status}: ${fmt(task.processed_records)} processed, ` +
      `${fmt(task.successful_records)} succeeded, ${fmt(task.failed_records)} rejected` +
      `${task.total_records != null ? ` of ${fmt(task.total_records)}` : ''}${secs && secs !== '0.0' ? ` in ${secs} s` : ''}\n`,
  );
  const m = task.metadata ?? {};
  if (m.warnings > 0 || m.created != null || m.parts > 0) {
    const parts = [];
    if (m.created != null)
      parts.push(`${fmt(m.created)} new, ${fmt(m.updated)} changed, ${fmt(m.unchanged)} unchanged`);
    if (m.warnings > 0) parts.push(`${fmt(m.warnings)} read with a warning`);
    // A large file read in parts by any importer (docs/DECISIONS.md 128).
    if (m.parts > 0) parts.push(`read in ${fmt(m.parts)} parts`);
    out.write(`${parts.join('; ')}\n`);
  }
  if (task.error_summary) out.write(`${task.error_summary}\n`);
  if (task.task_status === 'FAILED') return EXIT.FAILED;
  if (task.failed_records > 0 && !allowRejects) return EXIT.REJECTED;
  return EXIT.OK;
}

/**
 * Writes the import's rejected rows (GET /errors), or its warned rows (GET /warnings), next to
 * the input, when the server offers them.
 */
async function saveRejectedRows(client, task, source, kind = 'errors') {
  const base = isUrl(source) ? basename(new URL(source).pathname) || task.id : source;
  const target = `${base.replace(/\.gz$/i, '')}.${kind}.csv`;
  const what = kind === 'errors' ? 'rejected rows' : 'warned rows';
  try {
    writeFileSync(target, await client.rejectedRows(task.id, kind));
    process.stderr.write(`${what} written to ${target}\n`);
  } catch (err) {
    process.stderr.write(`${what} file not written: ${err.message}\n`);
  }
}

async function follow(client, id) {
  const view = new ProgressView(process.stderr);
  try {
    return await followTask(client, id, view);
  } finally {
    view.done();
  }
}

async function importCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      type: { type: 'string' },
      name: { type: 'string' },
      'max-errors': { type: 'string' },
      'allow-rejects': { type: 'boolean' },
      'no-wait': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      strict: { type: 'boolean' },
      atomic: { type: 'boolean' },
      'max-error-ratio': { type: 'string' },
      'min-rows': { type: 'string' },
      webhook: { type: 'string' },
    },
  });
  if (positionals.length !== 2) throw new UsageError('import needs <entity> and <url|file>');
  // The import's options (docs/API.md §1 `metadata`); the server checks them with the workers' rules.
  const metadata = {};
  if (values['max-errors'] !== undefined) {
    if (!/^\d+$/.test(values['max-errors']))
      throw new UsageError('--max-errors must be a whole number ≥ 0');
    metadata.max_errors = Number(values['max-errors']);
  }
  if (values['dry-run']) metadata.dry_run = true;
  if (values.strict) metadata.strict = true;
  if (values.atomic) metadata.atomic = true;
  if (values['max-error-ratio'] !== undefined) metadata.max_error_ratio = values['max-error-ratio'];
  if (values['min-rows'] !== undefined) metadata.max_error_ratio_min_rows = values['min-rows'];
  if (values.webhook !== undefined) metadata.webhook_url = values.webhook;
  const client = clientFrom(values);
  const entity = await entityArg(client, positionals[0]);
  const source = positionals[1];
  const fileType = fileTypeArg(values.type, source);
  let fileUrl = source;
  if (!isUrl(source)) {
    if (!existsSync(source)) throw new UsageError(`${source} is neither a URL nor a file here`);
    // A local file goes up first (POST /v1/uploads), then is imported from where it landed.
    fileUrl = await client
      .uploadFile(source, fileType === 'JSON' ? 'application/json' : 'text/csv')
      .catch((err) => {
        if (err instanceof ApiError && err.status === 404) {
          throw new Error(
            `this server cannot take uploads (POST /v1/uploads: ${err.message}); serve the file over http(s) and pass its URL`,
          );
        }
        throw err;
      });
  }
  const task = await client.createTask({
    task_type: 'IMPORT',
    entity_type: entity,
    file_type: fileType,
    file_url: fileUrl,
    file_name:
      values.name ?? (basename(isUrl(source) ? new URL(source).pathname : source) || undefined),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  });
  const what = values['dry-run'] ? 'dry run of importing' : 'importing';
  process.stderr.write(`task ${task.id} created: ${what} ${entity} from ${fileUrl}\n`);
  if (values['no-wait']) {
    process.stdout.write(`${task.id}\n`);
    return EXIT.OK;
  }
  const done = await follow(client, task.id);
  const code = finish(done, values['allow-rejects']);
  if (done.failed_records > 0) await saveRejectedRows(client, done, source);
  if (done.metadata?.warnings > 0) await saveRejectedRows(client, done, source, 'warnings');
  return code;
}

async function exportCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      format: { type: 'string', default: 'csv' },
      to: { type: 'string', default: 'store://exports/' },
      output: { type: 'string', short: 'o' },
      'no-wait': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('export needs <entity>');
  const client = clientFrom(values);
  const entity = await entityArg(client, positionals[0]);
  const format = values.format.toUpperCase();
  if (format !== 'CSV' && format !== 'JSON') throw new UsageError('--format must be csv or json');
  const task = await client.createTask({
    task_type: 'EXPORT',
    entity_type: entity,
    file_type: format,
    file_url: values.to,
  });
  process.stderr.write(
    `task ${task.id} created: exporting ${entity} as ${format} to ${values.to}\n`,
  );
  if (values['no-wait']) {
    process.stdout.write(`${task.id}\n`);
    return EXIT.OK;
  }
  const done = await follow(client, task.id);
  const code = finish(done, false);
  if (code !== EXIT.OK) return code;
  const target = values.output ?? `${entity.toLowerCase()}-${task.id}.${format.toLowerCase()}`;
  try {
    await pipeline(
      Readable.fromWeb(await client.downloadExport(task.id)),
      createWriteStream(target),
    );
    process.stdout.write(`written to ${target}\n`);
  } catch (err) {
    process.stderr.write(`file not downloaded: ${err.message}\n`);
    if (values.output) return EXIT.ERROR;
  }
  return code;
}

async function tasksCommand(args) {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      type: { type: 'string' },
      entity: { type: 'string' },
      status: { type: 'string' },
      schedule: { type: 'string' },
      limit: { type: 'string', default: '20' },
      offset: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const client = clientFrom(values);
  const page = await client.listTasks({
    task_type: values.type?.toUpperCase(),
    entity_type: values.entity?.toUpperCase(),
    task_status: values.status?.toUpperCase(),
    scheduled_task_id: values.schedule,
    limit: values.limit,
    offset: values.offset,
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return EXIT.OK;
  }
  printTable(process.stdout, page.items);
  process.stdout.write(`${page.items.length} of ${page.pagination.total}\n`);
  return EXIT.OK;
}

async function watchCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, 'allow-rejects': { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('watch needs <task_id>');
  const client = clientFrom(values);
  return finish(await follow(client, positionals[0]), values['allow-rejects']);
}

const oneId = (positionals, command) => {
  if (positionals.length !== 1) throw new UsageError(`${command} needs <task_id>`);
  return positionals[0];
};

const secondsOf = (t) =>
  t.started_at && (t.completed_at || t.failed_at)
    ? ((Date.parse(t.completed_at || t.failed_at) - Date.parse(t.started_at)) / 1000).toFixed(1)
    : null;

/** `ferry task <id>`: what the console's task page shows, as lines (or the TaskResponse). */
async function taskCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, json: { type: 'boolean' } },
  });
  const client = clientFrom(values);
  const t = await client.getTask(oneId(positionals, 'task'));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
    return EXIT.OK;
  }
  const secs = secondsOf(t);
  const lines = [
    ['id', t.id],
    ['status', t.task_status],
    ['what', `${t.task_type} ${t.entity_type} ${t.file_type}`],
    ['file', t.file_name ? `${t.file_name} (${t.file_url})` : t.file_url],
    [
      'records',
      `${fmt(t.processed_records)} processed, ${fmt(t.successful_records)} succeeded, ${fmt(t.failed_records)} rejected of ${fmt(t.total_records)}`,
    ],
    ['created', t.created_at],
    ['started', t.started_at ?? '-'],
    [t.failed_at ? 'failed' : 'completed', t.completed_at ?? t.failed_at ?? '-'],
    ['duration', secs ? `${secs} s` : '-'],
    ...(t.scheduled_task_id ? [['schedule', t.scheduled_task_id]] : []),
    ...(t.error_summary ? [['errors', t.error_summary]] : []),
  ];
  for (const [k, v] of lines) process.stdout.write(`${k.padEnd(10)}${v}\n`);
  return EXIT.OK;
}

/** `ferry cancel <id>` and `ferry retry <id>`: PUT /v1/tasks/{id}/status (docs/API.md §1, §3). */
async function statusCommand(action, args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      'allow-rejects': { type: 'boolean' },
      'no-wait': { type: 'boolean' },
    },
  });
  const client = clientFrom(values);
  const id = oneId(positionals, action);
  const { message } = await client.request('PUT', `/v1/tasks/${encodeURIComponent(id)}/status`, {
    body: { task_status: action === 'cancel' ? 'FAILED' : 'PROCESSING' },
  });
  process.stderr.write(`${message}\n`);
  if (action === 'cancel' || values['no-wait']) return EXIT.OK;
  return finish(await follow(client, id), values['allow-rejects']);
}

/** `ferry errors <id>`: the rejected rows CSV, as the console's "Rejected rows file". */
async function errorsCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, output: { type: 'string', short: 'o' } },
  });
  const client = clientFrom(values);
  const csv = await client.rejectedRows(oneId(positionals, 'errors'));
  if (!values.output || values.output === '-') process.stdout.write(csv);
  else {
    writeFileSync(values.output, csv);
    const rows = Math.max(0, csv.split('\n').filter(Boolean).length - 1);
    process.stderr.write(`${fmt(rows)} rejected rows written to ${values.output}\n`);
  }
  return EXIT.OK;
}

/** `ferry download <id>`: an export's file, by a fresh link from GET /v1/tasks/{id}/download. */
async function downloadCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, output: { type: 'string', short: 'o' } },
  });
  const client = clientFrom(values);
  const id = oneId(positionals, 'download');
  const task = await client.getTask(id);
  const name = basename(new URL(task.file_url).pathname) || `${id}.${task.file_type.toLowerCase()}`;
  const target = values.output ?? name;
  const body = Readable.fromWeb(await client.downloadExport(id));
  if (target === '-') await pipeline(body, process.stdout);
  else {
    await pipeline(body, createWriteStream(target));
    process.stdout.write(`written to ${target}\n`);
  }
  return EXIT.OK;
}

/** `ferry revert <id>`: the preview, then (with --yes) the revert task (docs/API.md §5). */
async function revertCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, yes: { type: 'boolean' }, 'no-wait': { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('revert needs <task_id>');
  const client = clientFrom(values);
  const id = positionals[0];
  const p = await client.request('GET', `/v1/tasks/${encodeURIComponent(id)}/revert`);
  const out = process.stdout;
  out.write(
    `reverting ${id} (${p.entity_type}) would delete ${fmt(p.would_delete)}, restore ${fmt(p.would_restore)}, ` +
      `keep ${fmt(p.would_keep)} changed since\n`,
  );
  for (const k of p.kept)
    out.write(`  kept ${k.id}${k.key ? ` (${k.key})` : ''}: changed by ${k.changed_by}\n`);
  if (p.revert_task_id) {
    out.write(`already reverted by ${p.revert_task_id}\n`);
    return EXIT.OK;
  }
  if (!values.yes) {
    out.write('nothing changed: run again with --yes to revert\n');
    return EXIT.OK;
  }
  const task = await client.request('POST', `/v1/tasks/${encodeURIComponent(id)}/revert`);
  process.stderr.write(`task ${task.id} created: reverting ${id}\n`);
  if (values['no-wait']) {
    out.write(`${task.id}\n`);
    return EXIT.OK;
  }
  const done = await follow(client, task.id);
  // Kept rows are listed as the revert's rejected rows; they are not an error of the revert.
  return finish(done, true);
}

/** `ferry schedules …`: the scheduled exports of docs/API.md §4. */
async function schedulesCommand(args) {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...COMMON,
      entity: { type: 'string' },
      json: { type: 'boolean' },
      connection: { type: 'string', default: 'store' },
      bucket: { type: 'string' },
      prefix: { type: 'string' },
      mode: { type: 'string' },
      gzip: { type: 'boolean' },
      columns: { type: 'string' },
      disabled: { type: 'boolean' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string', default: '20' },
      offset: { type: 'string' },
    },
  });
  const client = clientFrom(values);
  const id = () => {
    if (positionals.length !== 1) throw new UsageError(`schedules ${action} needs <id>`);
    return encodeURIComponent(positionals[0]);
  };
  const show = (body) => process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  switch (action) {
    case 'list': {
      const q = new URLSearchParams({
        limit: '100',
        ...(values.entity ? { entity_type: values.entity } : {}),
      });
      const page = await client.request('GET', `/v1/tasks/scheduled?${q}`);
      if (values.json) show(page);
      else {
        printTable(process.stdout, page.items, SCHEDULE_COLUMNS);
        process.stdout.write(`${page.items.length} of ${page.pagination.total}\n`);
      }
      return EXIT.OK;
    }
    case 'show':
      show(await client.request('GET', `/v1/tasks/scheduled/${id()}`));
      return EXIT.OK;
    case 'runs': {
      // A schedule's runs are EXPORT tasks with its scheduled_task_id (docs/API.md §4).
      const page = await client.listTasks({
        scheduled_task_id: decodeURIComponent(id()),
        limit: values.limit,
        offset: values.offset,
      });
      if (values.json) show(page);
      else {
        printTable(process.stdout, page.items);
        process.stdout.write(`${page.items.length} of ${page.pagination.total}\n`);
      }
      return EXIT.OK;
    }
    case 'create': {
      if (positionals.length !== 2)
        throw new UsageError('schedules create needs <entity> <interval>');
      const job_config = {
        ...(values.bucket ? { bucket: values.bucket } : {}),
        ...(values.prefix ? { key_prefix: values.prefix } : {}),
        ...(values.mode ? { mode: values.mode } : {}),
        ...(values.gzip ? { compression: 'gzip' } : {}),
        ...(values.columns ? { columns: values.columns.split(',') } : {}),
      };
      show(
        await client.request('POST', '/v1/tasks/scheduled', {
          body: {
            connection_id: values.connection,
            entity_type: positionals[0],
            interval: positionals[1],
            enabled: !values.disabled,
            job_config,
          },
        }),
      );
      return EXIT.OK;
    }
    case 'run': {
      const body = values.from || values.to ? { start_time: values.from, end_time: values.to } : {};
      const run = await client.request('POST', `/v1/tasks/scheduled/${id()}/run`, { body });
      show(run);
      return finish(await follow(client, run.workflow_id), false);
    }
    case 'enable':
    case 'disable':
      show(
        await client.request('PUT', `/v1/tasks/scheduled/${id()}`, {
          body: { enabled: action === 'enable' },
        }),
      );
      return EXIT.OK;
    case 'delete':
      await client.request('DELETE', `/v1/tasks/scheduled/${id()}`);
      process.stdout.write(`deleted ${positionals[0]}: it never runs again\n`);
      return EXIT.OK;
    default:
      throw new UsageError(
        'schedules needs list, show, runs, create, run, enable, disable or delete',
      );
  }
}

/** `ferry keys …`: the environment's API keys (docs/API.md §2), as secrets.*ApiKey call them. */
async function keysCommand(args) {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...COMMON,
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      publishable: { type: 'boolean' },
      manage: { type: 'boolean' },
      expires: { type: 'string' },
    },
  });
  const client = clientFrom(values);
  const show = (body) => process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  switch (action) {
    case 'list': {
      const q = new URLSearchParams({ limit: '1000', ...(values.all && { status: 'archived' }) });
      const res = await client.request('GET', `/v1/secrets/api/keys?${q}`);
      if (values.json) show(res);
      else {
        for (const k of res.items) {
          process.stdout.write(
            `${k.id}  ${k.status.padEnd(9)} ${k.display_id}…  ${k.roles.join(',')}  ${k.name}` +
              `${k.expires_at ? `  expires ${k.expires_at}` : ''}` +
              `${k.last_used_at ? `  used ${k.last_used_at}` : ''}\n`,
          );
        }
      }
      return EXIT.OK;
    }
    case 'create': {
      if (positionals.length !== 1) throw new UsageError('keys create needs <name>');
      const type = values.publishable ? 'publishable_key' : 'private_key';
      const body = {
        name: positionals[0],
        type,
        ...(values.expires && { expires_at: values.expires }),
        ...(values.manage && {
          permissions: [
            ...(type === 'private_key' ? ['task:read', 'task:write'] : ['task:read']),
            'key:manage',
          ],
        }),
      };
      const made = await client.request('POST', '/v1/secrets/api/keys', { body });
      process.stdout.write(`${made.api_key}\n`);
      process.stderr.write(`key ${made.secret.id} made; it is shown this once\n`);
      return EXIT.OK;
    }
    case 'revoke': {
      if (positionals.length !== 1) throw new UsageError('keys revoke needs <key_id>');
      await client.request('DELETE', `/v1/secrets/api/keys/${encodeURIComponent(positionals[0])}`);
      process.stderr.write(`key ${positionals[0]} revoked\n`);
      return EXIT.OK;
    }
    default:
      throw new UsageError('keys needs list, create or revoke');
  }
}

/** `ferry admin …`: runs the built gateway's operator command against DATABASE_URL. */
async function adminCommand(args) {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const entry = fileURLToPath(new URL('../../dist/apps/gateway/main.js', import.meta.url));
  if (!existsSync(entry)) throw new UsageError(`${entry} is missing: build the gateway first`);
  const r = spawnSync(process.execPath, [entry, 'admin', ...args], { stdio: 'inherit' });
  return r.status ?? EXIT.ERROR;
}

const COMMANDS = {
  keys: keysCommand,
  admin: adminCommand,
  import: importCommand,
  export: exportCommand,
  tasks: tasksCommand,
  task: taskCommand,
  watch: watchCommand,
  cancel: (args) => statusCommand('cancel', args),
  retry: (args) => statusCommand('retry', args),
  errors: errorsCommand,
  download: downloadCommand,
  revert: revertCommand,
  schedules: schedulesCommand,
};

async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await usage(rest)}\n`);
    return name ? EXIT.OK : EXIT.ERROR;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${await usage(rest)}\n`);
    return EXIT.OK;
  }
  return command(rest);
}

process.once('SIGINT', () => {
  process.stderr.write(
    '\nstopped watching; the task goes on (ferry watch <id> to follow it again)\n',
  );
  process.exit(130);
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`ferry: ${err.message}\n`);
    if (
      err instanceof UsageError ||
      err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
      err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
    ) {
      process.stderr.write('run ferry --help for usage\n');
    }
    process.exit(EXIT.ERROR);
  },
);
