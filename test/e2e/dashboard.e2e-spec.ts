/// <reference lib="dom" />
// page.evaluate callbacks run in the browser.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import http from 'http';
import { type AddressInfo } from 'net';
import { tmpdir } from 'os';
import path from 'path';

import { type BrowserContext, chromium, type Download, type Page } from 'playwright-core';

import { EntityType, TaskStatus, TaskType } from '@ferry/contracts';

import { FerryApi } from '../support/api';
import { eventRow, EVENTS_HEADER, eventsCsv } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';

const SCREENSHOTS = path.resolve(__dirname, '../../tmp/screenshots');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WIDE = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };

/**
 * The console at /ui in Debian's headless Chromium, against the running system: one browser and
 * one system for every page (docs/DECISIONS.md 166). Each page is screenshotted under
 * tmp/screenshots/ and checked by axe-core for serious and critical violations.
 */
describe('the console (/ui) in Chromium', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let api: FerryApi;
  let browser: BrowserContext;
  let profile: string;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  let uploaded = ''; // the task of the upload test: 8 events, reverted later

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry();
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
    profile = mkdtempSync(path.join(tmpdir(), 'ferry-chromium-'));
    // A fresh profile per run (Playwright's way of passing --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      headless: true,
      viewport: WIDE,
      acceptDownloads: true,
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await ferry?.stop();
    await files?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  const importTask = async (fileUrl: string, metadata?: object): Promise<string> => {
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: fileUrl,
      ...(metadata ? { metadata } : {}),
    });
    expect(res.status).toBe(202);
    return res.body.id;
  };

  /**
   * Screenshot, then axe-core: injected through the DevTools protocol (Runtime.evaluate), which
   * the page's CSP (no inline script) does not apply to, so the page is checked as served.
   */
  const check = async (name: string) => {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const cdp = await browser.newCDPSession(page);
    await cdp.send('Runtime.evaluate', { expression: AXE });
    await cdp.detach();
    const violations = await page.evaluate(async () => {
      const w = window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<any> } };
      const result = await w.axe.run(document, { resultTypes: ['violations'] });
      return (result.violations as Array<{ id: string; impact: string; nodes: unknown[] }>)
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
    });
    expect({ page: name, violations }).toEqual({ page: name, violations: [] });
  };

  const text = (selector: string) => page.locator(selector).first().innerText();
  const downloadText = async (d: Download) => readFileSync((await d.path())!, 'utf8');

  it('asks for the key once, then lists a task running live with its bar, file and times', async () => {
    // The first request gets half the file and waits, so the task is PROCESSING for as long as
    // the test needs; it is cancelled and retried, and the retry's request gets the whole file.
    const csv = Buffer.from(eventsCsv(30_000, 'ui'));
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    let served = 0;
    const gate = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': csv.length });
      if (served++ > 0) return res.end(csv);
      res.write(csv.subarray(0, csv.length / 2));
      void released.then(() => res.end(csv.subarray(csv.length / 2)));
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/drip.csv`;
    try {
      const id = await importTask(url);
      await page.goto(`${ferry.baseUrl}/ui`);
      await check('key');
      await page.fill('#api-key', ferry.apiKey);
      await page.press('#api-key', 'Enter');

      const row = page.locator(`tr[data-task-id="${id}"]`);
      await page.waitForFunction(
        (taskId) => {
          const tr = document.querySelector(`tr[data-task-id="${taskId}"]`) as HTMLElement | null;
          const records = tr?.querySelector('.records')?.textContent ?? '';
          return tr?.dataset['status'] === 'PROCESSING' && /^[1-9]/.test(records);
        },
        id,
        { timeout: 20_000 },
      );
      expect(await row.locator('.file').innerText()).toBe('drip.csv');
      expect(await row.locator('time').getAttribute('datetime')).toMatch(/^2\d{3}-/);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'tasks-processing.png') });

      // Its page: cancel while it runs, then retry; it continues to COMPLETED.
      await row.locator('a.id').click();
      await page.waitForSelector('#view[data-status="PROCESSING"]');
      expect(page.url()).toContain(`#/tasks/${id}`);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'task-processing.png') });
      await page.click('#cancel');
      await page.waitForSelector('#view[data-status="FAILED"]');
      release();
      expect(await text('#error-summary')).toMatch(/cancel/i);
      await page.click('#retry');
      await page.waitForSelector('#view[data-status="COMPLETED"]', { timeout: 30_000 });
      expect(await text('[data-counter=succeeded]')).toBe('30,000');
      expect(await page.locator('[role=progressbar]').getAttribute('aria-valuenow')).toBe('100');
      // The rows/s line got points from the stream, and says them in words.
      expect(Number(await page.locator('#rate').getAttribute('data-points'))).toBeGreaterThan(0);
      expect(await text('#rate-text')).toMatch(/latest [\d,]+, peak [\d,]+/);
      const json = JSON.parse((await page.locator('#task-json').textContent()) ?? 'null');
      expect(json).toMatchObject({ id, task_status: 'COMPLETED', successful_records: 30_000 });
      await check('task-completed');

      // The key lives in this tab's sessionStorage and travels only as a header.
      expect(await page.evaluate(() => sessionStorage.getItem('ferry.apiKey'))).toBe(ferry.apiKey);
      expect(requests.some((u) => u.includes(`/v1/tasks/${id}/events`))).toBe(true);
      expect(requests.filter((u) => u.includes(ferry.apiKey))).toEqual([]);
    } finally {
      release();
      gate.closeAllConnections();
      await new Promise((r) => gate.close(r));
    }
  });

  it('uploads a file with a progress bar, starts the import and shows its rejected rows', async () => {
    const lines = [EVENTS_HEADER];
    for (let i = 0; i < 10; i++) lines.push(eventRow(i, 'up'));
    lines[4] = lines[4].replace(/2026-[^,]+/, 'soon'); // line 5
    lines[8] = lines[8].replace('api_call', ''); // line 9
    await page.click('nav >> text=New import');
    await page.waitForSelector('#import-form');
    await page
      .locator('select[name=entity_type] option[value=EVENTS]')
      .waitFor({ state: 'attached' });
    expect(await page.locator('select[name=entity_type] option').allTextContents()).toEqual([
      'choose…',
      ...Object.values(EntityType),
    ]);
    await page.selectOption('select[name=entity_type]', 'EVENTS');
    await page.setInputFiles('#file', {
      name: 'usage-bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(lines.join('\n') + '\n'),
    });
    await page.fill('#opt-max_errors', '5');
    await check('import');
    await page.click('#import-form button[type=submit]');

    await page.waitForURL(/#\/tasks\/task_/);
    await page.waitForSelector('#view[data-status="COMPLETED"]', { timeout: 20_000 });
    const id = decodeURIComponent(page.url().split('#/tasks/')[1]);
    uploaded = id;
    const task = (await api.getTask(id)).body;
    expect(task).toMatchObject({ file_name: 'usage-bad.csv', failed_records: 2 });
    expect(task.file_url).toMatch(/^store:\/\/uploads\//);
    expect(task.metadata.max_errors).toBe(5);

    // The rejected rows: their lines, codes and original cells, in a table.
    await page.waitForSelector('#rejected-rows tbody tr');
    const rows = await page
      .locator('#rejected-rows tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(rows.map((r) => r[0])).toEqual(['5', '9']);
    expect(rows[0]).toContain('soon');
    expect(rows[0]).toContain('up_3');
    expect(await page.locator('#rejected-rows thead th').allTextContents()).toEqual([
      'Line',
      'Code',
      'Message',
      ...EVENTS_HEADER.split(','),
    ]);
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('#errors-file')]);
    const csv = await downloadText(file);
    expect(csv.split('\n')[0]).toBe(`row_number,error_code,error_message,${EVENTS_HEADER}`);
    expect(csv.split('\n').filter(Boolean)).toHaveLength(3);
    await check('task-rejected-rows');

    // The JSON pages the table reads: by line, `next_after_row` until the last; bad paging is a 400.
    const json = { accept: 'application/json' };
    const first = await api.request('GET', `/v1/tasks/${id}/errors?limit=1`, undefined, json);
    expect(first.body).toMatchObject({ total: 2, limit: 1, after_row: 0, next_after_row: 5 });
    expect(first.body.items[0]).toMatchObject({ row_number: 5, error_code: 'invalid_value' });
    expect(first.body.items[0].cells.timestamp).toBe('soon');
    const last = await api.request(
      'GET',
      `/v1/tasks/${id}/errors?limit=1&after_row=5`,
      undefined,
      json,
    );
    expect(last.body.items.map((r: { row_number: number }) => r.row_number)).toEqual([9]);
    expect(last.body.next_after_row).toBeNull();
    const bad = await api.request('GET', `/v1/tasks/${id}/errors?limit=0`, undefined, json);
    expect(bad.status).toBe(400);
    expect(bad.body.details.fields).toHaveProperty('limit');

    // "Import a corrected file" comes back to the form with the entity chosen.
    await page.click('#reimport');
    await page.waitForSelector('#import-form');
    await page
      .locator('select[name=entity_type] option[value=EVENTS]')
      .waitFor({ state: 'attached' });
    expect(await page.inputValue('select[name=entity_type]')).toBe('EVENTS');
  });

  it('pages through the list, filters it and finds a task by id', async () => {
    const failed: string[] = [];
    for (let i = 0; i < 12; i++) failed.push(await importTask(files.url(`missing-${i}.csv`)));
    await Promise.all(failed.map((id) => api.waitForTask(id)));
    const total = (await api.request('GET', '/v1/tasks?limit=1')).body.pagination.total;

    await page.goto(`${ferry.baseUrl}/ui#/tasks`);
    // The filter lists are the API's enums, read from /docs-json when the page loads.
    for (const [name, values] of [
      ['task_type', Object.values(TaskType)],
      ['entity_type', Object.values(EntityType)],
      ['task_status', Object.values(TaskStatus)],
    ] as const) {
      const options = page.locator(`select[name=${name}] option`);
      await options.nth(values.length).waitFor({ state: 'attached' });
      expect(await options.allTextContents()).toEqual(['any', ...values]);
    }
    await page.selectOption('select[name=limit]', '10');
    await page.waitForFunction(
      (t) => document.querySelector('#count')?.textContent === `1–10 of ${t}`,
      total,
    );
    const firstPage = await page
      .locator('#tasks tr')
      .evaluateAll((r) => r.map((e) => (e as HTMLElement).dataset['taskId']));
    expect(firstPage).toHaveLength(10);
    await page.click('#next');
    await page.waitForFunction(
      (t) => document.querySelector('#count')?.textContent === `11–${Math.min(20, t)} of ${t}`,
      total,
    );
    const secondPage = await page
      .locator('#tasks tr')
      .evaluateAll((r) => r.map((e) => (e as HTMLElement).dataset['taskId']));
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    expect(page.url()).toContain('offset=10');
    await page.click('#prev');
    await page.waitForFunction(
      (t) => document.querySelector('#count')?.textContent === `1–10 of ${t}`,
      total,
    );

    await page.selectOption('select[name=task_status]', 'COMPLETED');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLElement>('#tasks tr')).every(
        (r) => r.dataset['status'] === 'COMPLETED',
      ),
    );
    expect(await page.locator('#tasks tr').count()).toBe(2);
    await check('tasks-filtered');
    await page.selectOption('select[name=task_status]', 'FAILED');
    await page.locator(`tr[data-task-id="${failed[11]}"]`).waitFor();
    expect(await page.locator(`tr[data-task-id="${failed[11]}"] .errors`).innerText()).toMatch(
      /404/,
    );

    await page.fill('#search input[type=search]', failed[3]);
    await page.press('#search input[type=search]', 'Enter');
    await page.waitForURL(new RegExp(`#/tasks/${failed[3]}$`));
    await page.waitForSelector('#view[data-status="FAILED"]');
    expect(await page.locator('#retry').isVisible()).toBe(true);
  });

  it('creates a scheduled export, runs it now and downloads the run’s file', async () => {
    await page.click('nav >> text=Scheduled exports');
    await page.waitForSelector('#schedule-form');
    await page.locator('select[name=interval] option[value=daily]').waitFor({ state: 'attached' });
    await page.selectOption('select[name=entity_type]', 'events');
    await page.selectOption('select[name=interval]', 'daily');
    await page.fill('input[name=key_prefix]', 'console');
    await page.click('#schedule-form button[type=submit]');
    await page.waitForURL(/#\/schedules\/schtask_/);
    const id = decodeURIComponent(page.url().split('#/schedules/')[1]);
    await page.waitForSelector('#view[data-enabled="true"]');

    await page.click('#run-now');
    const run = page.locator('#runs tr[data-status="COMPLETED"]');
    await run.waitFor({ timeout: 30_000 });
    expect(await run.locator('td').nth(2).innerText()).toMatch(/^[1-9][\d,]*$/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      run.locator('button').click(),
    ]);
    const csv = await downloadText(download);
    expect(csv.split('\n')[0]).toMatch(/^event_id,/);
    expect(csv).toContain('ui_29999');
    expect(download.suggestedFilename()).toMatch(/^events-\d{12}-\d{12}\.csv$/);
    await check('schedule');

    await page.click('#toggle');
    await page.waitForSelector('#view[data-enabled="false"]');
    expect((await api.request('GET', `/v1/tasks/scheduled/${id}`)).body.enabled).toBe(false);

    await page.click('.crumbs a');
    await page.locator(`#schedules tr[data-schedule-id="${id}"][data-enabled="false"]`).waitFor();
    await page.click(`#schedules tr[data-schedule-id="${id}"] button:has-text("Enable")`);
    await page.locator(`#schedules tr[data-schedule-id="${id}"][data-enabled="true"]`).waitFor();
    await check('schedules');
  });

  it('starts a dry run from the page: dry-run counters, its warnings by line, nothing written', async () => {
    const lines = [EVENTS_HEADER];
    for (let i = 0; i < 10; i++) lines.push(eventRow(i, 'dry'));
    lines[3] = lines[3].replace(',cust_', ', cust_'); // line 4: a leading blank, trimmed and warned
    await page.goto(`${ferry.baseUrl}/ui#/import`);
    await page
      .locator('select[name=entity_type] option[value=EVENTS]')
      .waitFor({ state: 'attached' });
    await page.selectOption('select[name=entity_type]', 'EVENTS');
    await page.setInputFiles('#file', {
      name: 'usage-dry.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(lines.join('\n') + '\n'),
    });
    // Every option of docs/API.md §1/§5 is on the form with its one-line help.
    for (const key of [
      'dry_run',
      'strict',
      'atomic',
      'max_error_ratio',
      'max_error_ratio_min_rows',
    ])
      expect(await page.locator(`#opt-${key}-hint`).innerText()).not.toBe('');
    await page.check('#opt-dry_run');
    await page.fill('#opt-max_error_ratio', '1.5');
    expect(await page.locator('#opt-max_error_ratio:invalid').count()).toBe(1); // 0 to 1 only
    await page.fill('#opt-max_error_ratio', '0.5');
    await check('import-options');
    await page.click('#import-form button[type=submit]');
    await page.waitForURL(/#\/tasks\/task_/);
    await page.waitForSelector('#view[data-status="COMPLETED"]', { timeout: 20_000 });
    const id = decodeURIComponent(page.url().split('#/tasks/')[1]);
    const task = (await api.getTask(id)).body;
    expect(task).toMatchObject({ successful_records: 10, failed_records: 0 });
    expect(task.metadata).toMatchObject({ dry_run: true, max_error_ratio: 0.5, warnings: 1 });
    expect(await text('.what')).toMatch(/dry run: nothing was written/);
    const written = await ferry.db.query(
      'SELECT count(*)::int AS n FROM events WHERE task_id = $1',
      [id],
    );
    expect(written.rows[0].n).toBe(0);
    expect(await page.locator('#revert').count()).toBe(0); // nothing to revert

    // The warnings table: the warned row's line, the warning and its cells as read.
    await page.waitForSelector('#warnings-rows tbody tr');
    const rows = await page
      .locator('#warnings-rows tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(rows).toHaveLength(1);
    expect(rows[0][0]).toBe('4');
    expect(rows[0][1]).toMatch(/leading blanks trimmed from external_customer_id/);
    expect(rows[0]).toContain('dry_2');
    await check('task-warnings');
  });

  it('reverts an import after its preview, landing on the revert task', async () => {
    await page.goto(`${ferry.baseUrl}/ui#/tasks/${uploaded}`);
    await page.waitForSelector('#view[data-status="COMPLETED"]');
    dialogs.length = 0;
    await page.click('#revert'); // the preview is the confirm's question; it is accepted
    await page.waitForURL((u) => /#\/tasks\/task_/.test(u.hash) && !u.hash.includes(uploaded));
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatch(/^Revert task_\S+\? It deletes 8 row\(s\), restores 0/);
    await page.waitForSelector('#view[data-status="COMPLETED"]', { timeout: 20_000 });
    expect(await text('.what')).toContain(`revert of ${uploaded}`);
    const written = await ferry.db.query(
      'SELECT count(*)::int AS n FROM events WHERE task_id = $1',
      [uploaded],
    );
    expect(written.rows[0].n).toBe(0);
  });

  it('makes an API key shown once, which works until it is revoked', async () => {
    await page.goto(`${ferry.baseUrl}/ui#/keys`);
    await page.waitForSelector('#keys tr[data-key-id]');
    await page.fill('input[name=name]', 'console test');
    await page.click('#key-form-new button[type=submit]');
    const key = await page.locator('#new-key-value').inputValue();
    expect(await text('#new-key-warning')).toMatch(/you will not see it again/);
    expect(key.length).toBeGreaterThan(20);
    const row = page.locator('#keys tr', { hasText: 'console test' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/task:read, task:write/);
    await check('keys');

    const withKey = () =>
      fetch(`${ferry.baseUrl}/v1/tasks?limit=1`, { headers: { 'x-api-key': key } });
    expect((await withKey()).status).toBe(200);
    await row.locator('button:has-text("Revoke")').click(); // the confirm is accepted
    await row.waitFor({ state: 'detached' });
    expect((await withKey()).status).toBe(401);
    // The page never showed the key again.
    expect(await page.locator('#keys').innerText()).not.toContain(key);

    // A key without key:manage gets a sentence, not a broken page.
    const reader = await api.request('POST', '/v1/secrets/api/keys', {
      name: 'reader',
      type: 'publishable_key',
    });
    expect(reader.status).toBe(201);
    await page.evaluate((k) => sessionStorage.setItem('ferry.apiKey', k), reader.body.api_key);
    try {
      await page.reload();
      await page.waitForSelector('#keys-forbidden');
      expect(await text('#keys-forbidden')).toMatch(/lacks the key:manage permission/);
      await check('keys-forbidden');
    } finally {
      await page.evaluate((k) => sessionStorage.setItem('ferry.apiKey', k), ferry.apiKey);
    }
  });

  it('is readable at a phone’s width and reachable by keyboard', async () => {
    await page.setViewportSize(PHONE);
    try {
      for (const [hash, name] of [
        ['#/tasks', 'phone-tasks'],
        ['#/import', 'phone-import'],
        ['#/keys', 'phone-keys'],
      ]) {
        await page.goto(`${ferry.baseUrl}/ui${hash}`);
        await page.waitForSelector('#view h2');
        await page.waitForLoadState('networkidle').catch(() => undefined);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ name, overflow }).toEqual({ name, overflow: 0 });
        await check(name);
      }
    } finally {
      await page.setViewportSize(WIDE);
    }
    // From the top of the page, Tab reaches the menu and Enter follows it.
    await page.goto(`${ferry.baseUrl}/ui#/tasks`);
    await page.waitForSelector('#view h2');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const seen: string[] = [];
    for (let i = 0; i < 8 && !seen.includes('New import'); i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
    }
    expect(seen).toContain('New import');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#import-form');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
  });

  it('forgets the key on request and refuses a wrong one', async () => {
    await page.click('#forget');
    await page.waitForSelector('#key-form', { state: 'visible' });
    expect(await page.evaluate(() => sessionStorage.getItem('ferry.apiKey'))).toBeNull();
    await page.fill('#api-key', 'fry_wrong_wrong_wrong_wrong');
    await page.click('#key-form button[type=submit]');
    // The form never left (the key is checked before any page opens): wait for the answer.
    await page.locator('#message', { hasText: 'That API key was not accepted.' }).waitFor();
    expect(await page.isVisible('#key-form')).toBe(true);
    expect(await page.isVisible('#view')).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem('ferry.apiKey'))).toBeNull();
  });

  it('serves the page and its modules without a key, and nothing from elsewhere', async () => {
    const res = await fetch(`${ferry.baseUrl}/ui`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(`${ferry.baseUrl}/ui/`)).headers.get('content-type')).toMatch(
      /^text\/html/,
    );
    const mod = await fetch(`${ferry.baseUrl}/ui/pages/task.js`);
    expect(mod.status).toBe(200);
    expect(mod.headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const bad of ['secrets.txt', 'pages/nothing.js', '..%2Fui.controller.ts']) {
      const missing = await fetch(`${ferry.baseUrl}/ui/${bad}`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { code: string }).code).toBe('not_found');
    }
    const origin = new URL(ferry.baseUrl).origin;
    expect(
      requests.filter(
        (u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'),
      ),
    ).toEqual([]);
  });
});
