/**
 * The most values one `IN (…)` list binds. Prisma refuses a query with more bind parameters than the database takes
 * (SQLite: 999) instead of splitting it, so a list that can grow with a shop (members owed a sync, a chunk's ids) is
 * read in slices of this size, with room left for the query's other parameters.
 */
export const IN_LIST_SLICE = 500;

/** `read` run for each slice of `values` in turn; the rows of all slices, in slice order. */
export async function readInSlices<V, R>(values: V[], read: (slice: V[]) => Promise<R[]>): Promise<R[]> {
  if (values.length <= IN_LIST_SLICE) return values.length ? read(values) : [];
  const rows: R[] = [];
  for (let i = 0; i < values.length; i += IN_LIST_SLICE) rows.push(...(await read(values.slice(i, i + IN_LIST_SLICE))));
  return rows;
}
