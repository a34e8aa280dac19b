import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BATCH_SQL_COLUMNS } from "~/services/recalculation/batch-sql.server";

/**
 * The PostgreSQL batch writes carry their own column lists (json_to_recordset needs names and types). This fails when
 * they and the schema drift: a column added to a table must be written by the batch or named as left to its default,
 * and every column written must exist with the type the schema gives it.
 */

const schema = fs.readFileSync(path.resolve(import.meta.dirname, "../../prisma/postgresql/schema.prisma"), "utf8");
const SQL_TYPE: Record<string, string> = {
  String: "text",
  Boolean: "boolean",
  Float: "float8",
  Int: "integer",
  BigInt: "bigint",
  DateTime: "timestamp(3)",
};

/** A model's scalar columns and their PostgreSQL types (relation fields left out). */
function columnsOf(model: string): Map<string, string> {
  const body = new RegExp(`^model ${model} \\{\\n([\\s\\S]*?)^\\}`, "m").exec(schema)?.[1];
  if (!body) throw new Error(`model ${model} not in the schema`);
  const out = new Map<string, string>();
  for (const line of body.split("\n")) {
    const m = /^\s+(\w+)\s+(\w+)(\[\])?\??(\s|$)/.exec(line);
    if (!m || m[3] || !(m[2] in SQL_TYPE)) continue;
    out.set(m[1], SQL_TYPE[m[2]]);
  }
  return out;
}

describe("the batch SQL's column lists match prisma/postgresql/schema.prisma", () => {
  it.each(Object.entries(BATCH_SQL_COLUMNS).map(([table, c]) => ({ table, ...c })))(
    "$table",
    ({ table, fromRows, filled, leftToDefault, updated }) => {
      const columns = columnsOf(table);
      expect(
        [...fromRows.map(([n]) => n), ...filled, ...leftToDefault].sort(),
        "every column inserted, filled or named as left to its default",
      ).toEqual([...columns.keys()].sort());
      for (const [name, type] of [...fromRows, ...updated]) expect(`${name} ${type}`).toBe(`${name} ${columns.get(name)}`);
    },
  );
});
