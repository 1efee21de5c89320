// The options of an import (docs/API.md §1, `metadata` options the workers read), one entry each:
// `{key, label, kind: 'number'|'checkbox', hint, min}`; what the user sets goes into `metadata`.
// Issue 15's `dry_run` and `atomic`, and issue 13's `strict`, are one entry each here, e.g.
//   { key: 'dry_run', label: 'Dry run', kind: 'checkbox', hint: 'Check every row, write none' }
export const IMPORT_OPTIONS = [
  {
    key: 'max_errors',
    label: 'Max rejected rows',
    kind: 'number',
    min: 0,
    hint: 'Rejected rows tolerated; one more ends the task FAILED. Empty: the server’s default (10,000).',
  },
];
