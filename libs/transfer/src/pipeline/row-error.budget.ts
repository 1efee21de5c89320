import { FerryError, parseImportPolicy, parseMaxErrors } from '@ferry/contracts';

/**
 * How many rejected rows a task may have before it stops: `metadata.max_errors` of the task, or
 * the operator's default (FERRY_MAX_ROW_ERRORS). One more than that ends the task FAILED with a
 * sentence; the rows rejected until then stay listed in `GET /v1/tasks/{id}/errors`. Beside the
 * count, `metadata.max_error_ratio` bounds the share of rejected rows once
 * `max_error_ratio_min_rows` rows were read (docs/API.md §1).
 */
export class RowErrorBudget {
  private constructor(
    readonly max: number,
    private readonly setBy: string,
    readonly ratio: number | null = null,
    readonly ratioMinRows = Number.MAX_SAFE_INTEGER,
  ) {}

  /**
   * The budget of a task; a `max_errors` that is not a whole number ≥ 0 fails the task (the
   * gateway refuses such a task already: parseMaxErrors of libs/contracts runs in both).
   */
  static forTask(metadata: Record<string, unknown> | undefined, fallback: number): RowErrorBudget {
    const own = parseMaxErrors(metadata);
    const policy = parseImportPolicy(metadata);
    return own === null
      ? new RowErrorBudget(
          fallback,
          'FERRY_MAX_ROW_ERRORS',
          policy.maxErrorRatio,
          policy.ratioMinRows,
        )
      : new RowErrorBudget(own, 'metadata.max_errors', policy.maxErrorRatio, policy.ratioMinRows);
  }

  /** True once `failed` rejected rows out of `processed` read break the count or the ratio. */
  exceededBy(failed: number, processed = 0): boolean {
    return failed > this.max || this.ratioBroken(failed, processed);
  }

  private ratioBroken(failed: number, processed: number): boolean {
    return this.ratio !== null && processed >= this.ratioMinRows && failed > this.ratio * processed;
  }

  /** Throws the task's failure once `failed` rows (of `processed`) break the budget. */
  check(failed: number, processed = 0): void {
    if (failed > this.max) {
      throw FerryError.validation(
        `the import stopped after ${failed} rejected rows, more than the ${this.max} allowed (${this.setBy}); the rejected rows are listed by GET /v1/tasks/{id}/errors`,
        { max_errors: this.max, failed_records: failed },
      );
    }
    if (this.ratioBroken(failed, processed)) {
      const share = ((100 * failed) / processed).toFixed(1);
      throw FerryError.validation(
        `the import stopped after ${failed} rejected rows of ${processed} read (${share}%), more than the ${this.ratio} allowed by metadata.max_error_ratio; the rejected rows are listed by GET /v1/tasks/{id}/errors`,
        { max_error_ratio: this.ratio, failed_records: failed, processed_records: processed },
      );
    }
  }
}
