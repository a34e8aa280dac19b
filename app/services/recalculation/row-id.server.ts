/**
 * Ids for rows the batched writers insert themselves (PostgreSQL: one INSERT … SELECT per table; SQLite: createMany
 * with ids chosen before the write, so the batch knows new members' ids without a round trip). Prisma fills
 * `@default(cuid())` only for rows it creates one by one, so these imitate its cuid() (c + time + counter + process +
 * random, 25 characters, base 36): rows written either way look alike, sort alike by creation time, and fit every
 * check on an id. Not a secret and not a security boundary; unique per process by the counter and across processes
 * by the process id and the random part.
 */
let counter = 0;
const processPart = (process.pid % 1_679_616).toString(36).padStart(4, "0");

export function newRowId(): string {
  counter = (counter + 1) % 1_679_616;
  const random = Math.floor(Math.random() * 2_821_109_907_456)
    .toString(36)
    .padStart(8, "0");
  return `c${Date.now().toString(36).padStart(8, "0")}${counter.toString(36).padStart(4, "0")}${processPart}${random}`;
}
