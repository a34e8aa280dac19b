import type { Db } from "~/db/client.server";
import { dumpTables } from "../db";

/**
 * Whole-database views for the security suite: one shop's rows in every table (to prove a request changed nothing of
 * another shop), and a scan of every column of every row for strings that must not be there (personal data after a
 * redaction).
 */

export type Tables = Record<string, Record<string, unknown>[]>;

/** The column naming a row's shop: `shop` everywhere, `domain` on the Shop table itself. */
function rowShop(row: Record<string, unknown>): unknown {
  return "shop" in row ? row.shop : row.domain;
}

/** Every row of every table that belongs to `shop`. Tables without a shop column (none today) are returned whole. */
export async function shopRows(db: Db, shop: string): Promise<Tables> {
  const all = await dumpTables(db);
  const out: Tables = {};
  for (const [table, rows] of Object.entries(all)) {
    out[table] = rows.filter((r) => !("shop" in r || "domain" in r) || rowShop(r) === shop);
  }
  return out;
}

export function rowCount(tables: Tables): number {
  return Object.values(tables).reduce((n, rows) => n + rows.length, 0);
}

const asText = (v: unknown): string =>
  v === null || v === undefined
    ? ""
    : v instanceof Date
      ? v.toISOString()
      : typeof v === "bigint"
        ? v.toString()
        : Buffer.isBuffer(v)
          ? v.toString("utf8")
          : String(v);

export interface Finding {
  table: string;
  column: string;
  id: unknown;
  needle: string;
  value: string;
}

/** Every cell (any table, any column) containing one of the needles, case-insensitively. */
export function scanCells(
  tables: Tables,
  needles: string[],
  opts: { rows?: (table: string, row: Record<string, unknown>) => boolean } = {},
): Finding[] {
  const wanted = needles.map((n) => n.toLowerCase());
  const findings: Finding[] = [];
  for (const [table, rows] of Object.entries(tables)) {
    for (const row of rows) {
      if (opts.rows && !opts.rows(table, row)) continue;
      for (const [column, value] of Object.entries(row)) {
        const text = asText(value).toLowerCase();
        if (!text) continue;
        wanted.forEach((needle, i) => {
          if (text.includes(needle)) findings.push({ table, column, id: row.id, needle: needles[i], value: asText(value).slice(0, 200) });
        });
      }
    }
  }
  return findings;
}
