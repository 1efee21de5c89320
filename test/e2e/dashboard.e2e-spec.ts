/// <reference lib="dom" />
// page.evaluate callbacks run in the browser.
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import { type BrowserContext, chromium, type Page } from 'playwright-core';

import { EntityType, TaskStatus, TaskType } from '@ferry/contracts';

import { FerryApi } from '../support/api';
import { DripServer } from '../support/drip-server';
import { eventRow, EVENTS_HEADER, eventsCsv } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';

const SCREENSHOTS = path.resolve(__dirname, '../../tmp/screenshots');

/** The dashboard at /ui in Debian's headless Chromium, against the running system. */
describe('the dashboard (/ui) in Chromium', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let api: FerryApi;
  let browser: BrowserContext;
  let profile: string;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    files = await new FileServer().start();
    ferry = await startFerry();
    api = new FerryApi(ferry.baseUrl, ferry.apiKey);
    profile = mkdtempSync(path.join(tmpdir(), 'ferry-chromium-'));
    // A fresh profile per run (Playwright's way of passing --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      headless: true,
      viewport: { width: 1400, height: 700 },
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
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await ferry?.stop();
    await files?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const importTask = async (fileUrl: string): Promise<string> => {
    const res = await api.createTask({
      task_type: 'IMPORT',
      entity_type: 'EVENTS',
      file_type: 'CSV',
      file_url: fileUrl,
    });
    expect(res.status).toBe(202);
    return res.body.id;
  };

  const row = (id: string) => page.locator(`tr[data-task-id="${id}"]`);

  it('asks for the key once, then shows a task running live until COMPLETED with its bar full', async () => {
    // Served slowly, so the page sees the task PROCESSING and then finishing.
    const csv = eventsCsv(60_000, 'ui');
    const drip = await new DripServer(csv, Math.floor(csv.length / 2), 3000).start();
    try {
      const id = await importTask(drip.url);
      await page.goto(`${ferry.baseUrl}/ui`);
      await page.fill('#api-key', ferry.apiKey);
      await page.click('#key-form button[type=submit]');

      await row(id).locator('.status.PROCESSING').waitFor({ timeout: 20_000 });
      // Counters move on the page while the task runs (the first half of the file is in).
      await page.waitForFunction(
        (taskId) => {
          const tr = document.querySelector(`tr[data-task-id="${taskId}"]`) as HTMLElement | null;
          const records = tr?.querySelector('.records')?.textContent ?? '';
          return tr?.dataset['status'] === 'PROCESSING' && /^[1-9]/.test(records);
        },
        id,
        { timeout: 20_000 },
      );
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-processing.png') });
      await page.waitForSelector(`tr[data-task-id="${id}"][data-status="COMPLETED"]`, {
        timeout: 60_000,
      });
      const bar = row(id).locator('[role=progressbar]');
      expect(await bar.getAttribute('aria-valuenow')).toBe('100');
      expect(
        await row(id)
          .locator('.bar')
          .evaluate((e) => (e as HTMLElement).style.width),
      ).toBe('100%');
      expect(await row(id).locator('.records').textContent()).toBe(
        '60,000 processed / 60,000 total, 60,000 ok, 0 rejected',
      );
      expect(await row(id).locator('.figures').textContent()).toMatch(/^100% · [\d,]+ rows\/s$/);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png') });

      // The key lives in this tab's sessionStorage and travels only as a header.
      expect(await page.evaluate(() => sessionStorage.getItem('ferry.apiKey'))).toBe(ferry.apiKey);
      expect(requests.some((u) => u.includes(`/v1/tasks/${id}/events`))).toBe(true);
      expect(requests.filter((u) => u.includes(ferry.apiKey))).toEqual([]);
    } finally {
      await drip.stop();
    }
  });

  it('shows error summaries and the rejected rows action, and filters by status', async () => {
    const lines = [EVENTS_HEADER];
    for (let i = 0; i < 500; i++) {
      lines.push(
        i === 3 ? eventRow(i, 'uibad').replace(/2026-[^,]+/, 'soon') : eventRow(i, 'uibad'),
      );
    }
    const rejected = await importTask(files.add('ui-bad.csv', lines.join('\n') + '\n'));
    const failed = await importTask(files.url('ui-missing.csv'));
    await api.waitForTask(rejected);
    await api.waitForTask(failed);

    await page.reload(); // the key is still in sessionStorage: no second prompt
    expect(await page.isVisible('#key-form')).toBe(false);
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
    await page.waitForSelector(`tr[data-task-id="${failed}"][data-status="FAILED"]`);
    expect(await row(failed).locator('.errors').textContent()).toMatch(/404/);
    expect(await row(rejected).locator('.errors').textContent()).toMatch(/^row 5: .*timestamp/);
    expect(await row(rejected).locator('.links button').textContent()).toBe('Rejected rows');

    await page.selectOption('select[name=task_status]', 'FAILED');
    await row(rejected).waitFor({ state: 'detached' });
    const statuses = await page
      .locator('#tasks tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['status']));
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['FAILED']));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-failed-filter.png') });
  });

  it('forgets the key on request and refuses a wrong one', async () => {
    await page.click('#forget');
    await page.waitForSelector('#key-form', { state: 'visible' });
    expect(await page.evaluate(() => sessionStorage.getItem('ferry.apiKey'))).toBeNull();
    await page.fill('#api-key', 'fry_wrong_wrong_wrong_wrong');
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('#key-form', { state: 'visible' });
    await expect(page.locator('#message').textContent()).resolves.toBe(
      'That API key was not accepted.',
    );
  });

  it('serves the page without a key, with its assets and nothing from elsewhere', async () => {
    const res = await fetch(`${ferry.baseUrl}/ui`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(`${ferry.baseUrl}/ui/app.js`)).status).toBe(200);
    const missing = await fetch(`${ferry.baseUrl}/ui/secrets.txt`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('not_found');
    const origin = new URL(ferry.baseUrl).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
  });
});
