/** PostgreSQL COPY text format: one line per row, tab between columns, `\N` for NULL. */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const REPLACEMENT: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

function replace(ch: string): string {
  return REPLACEMENT[ch];
}

/** Escapes one value for COPY text format (a regex test only on the common, clean path). */
export function copyText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, replace) : value;
}

export function copyNullable(value: string | null): string {
  return value === null ? '\\N' : copyText(value);
}

const UNESCAPES = /\\(.)/g;
const UNESCAPED: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', '\\': '\\' };

/** Splits one line of COPY text back into its values (`\N` is null). */
export function parseCopyLine(line: string): Array<string | null> {
  return line
    .split('\t')
    .map((v) => (v === '\\N' ? null : v.replace(UNESCAPES, (_m, c: string) => UNESCAPED[c] ?? c)));
}
