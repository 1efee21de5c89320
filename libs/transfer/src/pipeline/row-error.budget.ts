import { FerryError } from '@ferry/contracts';

/**
 * How many rejected rows a task may have before it stops: `metadata.max_errors` of the task, or
 * the operator's default (FERRY_MAX_ROW_ERRORS). One more than that ends the task FAILED with a
 * sentence; the rows rejected until then stay listed in `GET /v1/tasks/{id}/errors`.
 */
export class RowErrorBudget {
  private constructor(
    readonly max: number,
    private readonly setBy: string,
  ) {}

  /** The budget of a task; a `max_errors` that is not a whole number ≥ 0 fails the task. */
  static forTask(metadata: Record<string, unknown> | undefined, fallback: number): RowErrorBudget {
    const given = metadata?.['max_errors'];
    if (given === undefined || given === null) {
      return new RowErrorBudget(fallback, 'FERRY_MAX_ROW_ERRORS');
    }
    const n = typeof given === 'string' && /^\d+$/.test(given) ? Number(given) : given;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw FerryError.validation(
        `metadata.max_errors must be a whole number of 0 or more, not ${JSON.stringify(given)}`,
      );
    }
    return new RowErrorBudget(n, 'metadata.max_errors');
  }

  exceededBy(failed: number): boolean {
    return failed > this.max;
  }

  /** Throws the task's failure once `failed` rows are more than the budget. */
  check(failed: number): void {
    if (!this.exceededBy(failed)) return;
    throw FerryError.validation(
      `the import stopped after ${failed} rejected rows, more than the ${this.max} allowed (${this.setBy}); the rejected rows are listed by GET /v1/tasks/{id}/errors`,
      { max_errors: this.max, failed_records: failed },
    );
  }
}
