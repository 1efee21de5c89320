import { once } from 'events';

import { Injectable } from '@nestjs/common';

import type { Writable } from 'stream';

import { FerryError } from '@ferry/contracts';
import { formatCsvRow } from '@ferry/files';
import { TaskRepository, TaskRowErrorRepository } from '@ferry/persistence';

import type { Principal } from '../auth/principal';

/** Rows read from PostgreSQL per query: memory stays bounded by one page whatever the count. */
export const ERRORS_PAGE_SIZE = 1000;

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
  ) {}

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
}

async function send(out: Writable, text: string): Promise<void> {
  if (out.destroyed) return;
  if (!out.write(text)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
}
