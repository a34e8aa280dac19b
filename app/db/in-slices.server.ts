/**
 * The most values one `IN (…)` list binds. Prisma refuses a query with more bind parameters than the database takes
 * (SQLite: 999) instead of splitting it, so a list that can grow with a shop (members owed a sync, a chunk's ids) is
 * read in slices of this size, with room left for the query's other parameters.
 */
export const IN_LIST_SLICE = 500;

/** `values` cut into lists of at most IN_LIST_SLICE, in order (none when there are none). */
export function* slicesOf<V>(values: V[]): Generator<V[]> {
  for (let i = 0; i < values.length; i += IN_LIST_SLICE) yield values.slice(i, i + IN_LIST_SLICE);
}

/** `read` run for each slice of `values` in turn; the rows of all slices, in slice order. */
export async function readInSlices<V, R>(values: V[], read: (slice: V[]) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (const slice of slicesOf(values)) rows.push(...(await read(slice)));
  return rows;
}
