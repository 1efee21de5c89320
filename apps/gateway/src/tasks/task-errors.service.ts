import { once } from 'events';

import { Injectable } from '@nestjs/common';

import type { Writable } from 'stream';

import { FerryError } from '@ferry/contracts';
import { formatCsvRow } from '@ferry/files';
import {
  TaskRepository,
  TaskRowErrorRepository,
  TaskRowWarningRepository,
} from '@ferry/persistence';

import type { Principal } from '../auth/principal';

/** Rows read from PostgreSQL per query: memory stays bounded by one page whatever the count. */
export const ERRORS_PAGE_SIZE = 1000;

/** Rows a JSON page (`GET /v1/tasks/{id}/errors` with `Accept: application/json`) may hold. */
export const ERRORS_JSON_MAX_LIMIT = 1000;

/** One page of rejected rows as JSON (docs/API.md §1, "Rejected rows"). */
export interface ErrorsPage {
  /** The file's columns, in its order: the keys of every item's `cells`. */
  columns: string[];
  items: Array<{
    row_number: number;
    error_code: string;
    error_message: string;
    /** The row's original cells as read (no formula guard: this is not a file). */
    cells: Record<string, string>;
  }>;
  /** The task's `failed_records`: every rejected row, not only this page's. */
  total: number;
  limit: number;
  after_row: number;
  /** `after_row` of the next page, or null when this page is the last. */
  next_after_row: number | null;
}

/** One page of warned rows as JSON (docs/API.md §1, `GET /v1/tasks/{id}/warnings`). */
export interface WarningsPage {
  /** The file's columns, in its order: the keys of every item's `cells`. */
  columns: string[];
  items: Array<{
    row_number: number;
    warning_message: string;
    /** The row's cells as read. */
    cells: Record<string, string>;
  }>;
  /** The task's `metadata.warnings`: every warned row, also those past the stored first 10,000. */
  total: number;
  limit: number;
  after_row: number;
  /** `after_row` of the next page, or null when this page is the last. */
  next_after_row: number | null;
}

/** What the response needs before its first byte. */
export interface ErrorsDownload {
  fileName: string;
  /** Writes the CSV to `out`, page by page, honouring back-pressure; stops if `out` closes. */
  write(out: Writable): Promise<void>;
}

@Injectable()
export class TaskErrorsService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly rowErrors: TaskRowErrorRepository,
    private readonly rowWarnings: TaskRowWarningRepository,
  ) {}

  openWarnings(p: Principal, id: string): Promise<ErrorsDownload> {
    return openWarnings(this.tasks, this.rowWarnings, p, id);
  }

  /** One page of the warned rows, by line: those after `afterRow`, at most `limit`. */
  warningsPage(p: Principal, id: string, limit: number, afterRow: number): Promise<WarningsPage> {
    return warningsPage(this.tasks, this.rowWarnings, p, id, limit, afterRow);
  }

  /**
   * `GET /v1/tasks/{id}/errors`: the task's rejected rows as CSV, `row_number,error_code,
   * error_message` then the rows' original columns. Another tenant's task is a 404.
   */
  async open(p: Principal, id: string): Promise<ErrorsDownload> {
    const task = await this.tasks.findScoped(id, p.tenantId, p.environmentId);
    if (!task) throw FerryError.notFound('Task', id);
    const columns = await this.rowErrors.columns(id);
    return {
      fileName: `${id}-errors.csv`,
      write: async (out) => {
        await send(out, formatCsvRow(['row_number', 'error_code', 'error_message', ...columns]));
        let after = 0;
        for (;;) {
          const page = await this.rowErrors.page(id, after, ERRORS_PAGE_SIZE);
          if (page.length === 0 || out.destroyed) break;
          let text = '';
          for (const e of page) {
            const cells = [String(e.row_number), e.error_code, e.error_message];
            for (const c of columns) cells.push(e.raw[c] ?? '');
            text += formatCsvRow(cells);
          }
          await send(out, text);
          after = page[page.length - 1].row_number;
          if (page.length < ERRORS_PAGE_SIZE) break;
        }
      },
    };
  }

  /** One page of the rejected rows, by line: those after `afterRow`, at most `limit`. */
  async page(p: Principal, id: string, limit: number, afterRow: number): Promise<ErrorsPage> {
    const task = await this.tasks.findScoped(id, p.tenantId, p.environmentId);
    if (!task) throw FerryError.notFound('Task', id);
    const [columns, rows] = await Promise.all([
      this.rowErrors.columns(id),
      this.rowErrors.page(id, afterRow, limit + 1),
    ]);
    const items = rows.slice(0, limit).map((e) => ({
      row_number: e.row_number,
      error_code: e.error_code,
      error_message: e.error_message,
      cells: Object.fromEntries(columns.map((c) => [c, e.raw[c] ?? ''])),
    }));
    return {
      columns,
      items,
      total: Number(task.failed_records ?? 0),
      limit,
      after_row: afterRow,
      next_after_row: rows.length > limit ? items[items.length - 1].row_number : null,
    };
  }
}

/** `limit` and `after_row` of a JSON page: whole numbers in range, else a 400 naming them. */
export function pageQuery(limit: unknown, afterRow: unknown): { limit: number; afterRow: number } {
  const whole = (name: string, raw: unknown, min: number, max: number, dflt: number) => {
    if (raw === undefined || raw === '') return dflt;
    const n = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const message = `${name} ${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`;
      throw FerryError.validation(message, { fields: { [name]: [message] } });
    }
    return n;
  };
  return {
    limit: whole('limit', limit, 1, ERRORS_JSON_MAX_LIMIT, 50),
    afterRow: whole('after_row', afterRow, 0, Number.MAX_SAFE_INTEGER, 0),
  };
}

/** `GET /v1/tasks/{id}/warnings` as JSON: the same page shape as the rejected rows' one. */
export async function warningsPage(
  tasks: Pick<TaskRepository, 'findScoped'>,
  warnings: Pick<TaskRowWarningRepository, 'columns' | 'page'>,
  p: Principal,
  id: string,
  limit: number,
  afterRow: number,
): Promise<WarningsPage> {
  const task = await tasks.findScoped(id, p.tenantId, p.environmentId);
  if (!task) throw FerryError.notFound('Task', id);
  const [columns, rows] = await Promise.all([
    warnings.columns(id),
    warnings.page(id, afterRow, limit + 1),
  ]);
  const items = rows.slice(0, limit).map((w) => ({
    row_number: w.row_number,
    warning_message: w.warning_message,
    cells: Object.fromEntries(columns.map((c) => [c, w.raw[c] ?? ''])),
  }));
  const counted = Number(task.metadata?.['warnings'] ?? 0);
  return {
    columns,
    items,
    total: Number.isFinite(counted) ? counted : 0,
    limit,
    after_row: afterRow,
    next_after_row: rows.length > limit ? items[items.length - 1].row_number : null,
  };
}

/**
 * `GET /v1/tasks/{id}/warnings`: the rows imported with a leniency (docs/FORMATS.md §1) as CSV,
 * `row_number,warning_message` then the rows' cells as read; the first MAX_STORED_WARNINGS of
 * them (the task's `metadata.warnings` counts all). Another tenant's task is a 404.
 */
export async function openWarnings(
  tasks: TaskRepository,
  warnings: TaskRowWarningRepository,
  p: Principal,
  id: string,
): Promise<ErrorsDownload> {
  const task = await tasks.findScoped(id, p.tenantId, p.environmentId);
  if (!task) throw FerryError.notFound('Task', id);
  const columns = await warnings.columns(id);
  return {
    fileName: `${id}-warnings.csv`,
    write: async (out) => {
      await send(out, formatCsvRow(['row_number', 'warning_message', ...columns]));
      let after = 0;
      for (;;) {
        const page = await warnings.page(id, after, ERRORS_PAGE_SIZE);
        if (page.length === 0 || out.destroyed) break;
        let text = '';
        for (const w of page) {
          const cells = [String(w.row_number), w.warning_message];
          for (const c of columns) cells.push(w.raw[c] ?? '');
          text += formatCsvRow(cells);
        }
        await send(out, text);
        after = page[page.length - 1].row_number;
        if (page.length < ERRORS_PAGE_SIZE) break;
      }
    },
  };
}

async function send(out: Writable, text: string): Promise<void> {
  if (out.destroyed) return;
  if (!out.write(text)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
}
