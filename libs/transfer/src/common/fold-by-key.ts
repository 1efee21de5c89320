/**
 * A batch's records with one per key, in file order: a later row for a key already seen is
 * folded into the earlier one, as if the two were applied one after the other (one upsert
 * statement cannot touch the same row twice).
 */
export function foldByKey<R>(
  records: Iterable<R>,
  keyOf: (record: R) => string,
  fold: (earlier: R, later: R) => R,
): Map<string, R> {
  const byKey = new Map<string, R>();
  for (const r of records) {
    const key = keyOf(r);
    const earlier = byKey.get(key);
    byKey.set(key, earlier === undefined ? r : fold(earlier, r));
  }
  return byKey;
}
