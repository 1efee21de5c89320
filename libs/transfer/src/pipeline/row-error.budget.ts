import { FerryError, parseMaxErrors } from '@ferry/contracts';

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

  /**
   * The budget of a task; a `max_errors` that is not a whole number ≥ 0 fails the task (the
   * gateway refuses such a task already: parseMaxErrors of libs/contracts runs in both).
   */
  static forTask(metadata: Record<string, unknown> | undefined, fallback: number): RowErrorBudget {
    const own = parseMaxErrors(metadata);
    return own === null
      ? new RowErrorBudget(fallback, 'FERRY_MAX_ROW_ERRORS')
      : new RowErrorBudget(own, 'metadata.max_errors');
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
