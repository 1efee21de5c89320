// The options of an import (docs/API.md §1 `metadata`, §5 for the Beyond ones), one entry each:
// `{key, label, kind: 'number'|'checkbox', hint, min, max, step}`; what the user sets goes into
// `metadata` under `key` (a ticked box as `true`, a number as a number, an empty one not at all).
// `step: 'any'` takes a fraction; otherwise a whole number. The gateway checks every value with
// the workers' own parsers, so a bad one comes back as a 400 naming `metadata.<key>`.
export const IMPORT_OPTIONS = [
  {
    key: 'dry_run',
    label: 'Dry run',
    kind: 'checkbox',
    hint: 'Check every row, the database’s checks too, and write none: the counters and rejected rows say what a real run would do.',
  },
  {
    key: 'strict',
    label: 'Strict CSV',
    kind: 'checkbox',
    hint: 'Read cells as written: an uneven row or a stray quote is a rejected row, not a warning.',
  },
  {
    key: 'atomic',
    label: 'Atomic: all or nothing',
    kind: 'checkbox',
    hint: 'Every row appears in one commit at the end, or none does (a rejected row over the limit writes nothing).',
  },
  {
    key: 'max_errors',
    label: 'Max rejected rows',
    kind: 'number',
    min: 0,
    hint: 'Rejected rows tolerated; one more ends the task FAILED. Empty: the server’s default (10,000).',
  },
  {
    key: 'max_error_ratio',
    label: 'Max error ratio',
    kind: 'number',
    min: 0,
    max: 1,
    step: 'any',
    hint: 'A fraction from 0 to 1: rejected / read above it ends the task FAILED. Empty: no such limit.',
  },
  {
    key: 'max_error_ratio_min_rows',
    label: 'Ratio judged after rows',
    kind: 'number',
    min: 1,
    hint: 'The ratio is judged once this many rows were read (empty: 100), so two bad first rows do not end it.',
  },
];
