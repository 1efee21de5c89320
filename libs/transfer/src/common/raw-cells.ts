/**
 * A row's original cells by column name, as `/errors` shows them (docs/API.md §1): a cell past
 * the header gets `column_<n>`, a missing one the empty string.
 */
export function rawCells(
  header: readonly string[],
  values: readonly string[],
): Record<string, string> {
  const raw: Record<string, string> = {};
  const n = Math.max(header.length, values.length);
  for (let i = 0; i < n; i++) raw[header[i] || `column_${i + 1}`] = values[i] ?? '';
  return raw;
}
