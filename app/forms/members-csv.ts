import { parseBirthday } from "~/domain/birthday";
import { parseCsv, toCsv } from "./csv";

// Member CSV: the export's first columns are the import's, so an export can be edited and imported back.

export const EXPORT_COLUMNS = [
  "customer_id",
  "level",
  "locked",
  "email",
  "name",
  "level_name",
  "status",
  "level_since",
  "level_expires_at",
  "spend",
  "points",
  "birthday",
] as const;
/** birthday (optional): MM-DD or YYYY-MM-DD, set only for members who have none. */
export const IMPORT_COLUMNS = ["customer_id", "level", "locked", "points", "birthday"] as const;
const REQUIRED = ["customer_id", "level"] as const;
export const MAX_IMPORT_ROWS = 50_000;

export interface MemberExportRow {
  customerId: string;
  level: string | null;
  levelName: string | null;
  locked: boolean;
  email: string | null;
  name: string | null;
  status: string;
  levelSince: string | null;
  levelExpiresAt: string | null;
  spend: string;
  points: number;
  /** "MM-DD" or null. */
  birthday?: string | null;
}

export function membersCsv(rows: Iterable<MemberExportRow>): string {
  const out: unknown[][] = [];
  for (const r of rows) {
    out.push([
      r.customerId,
      r.level ?? "",
      r.locked ? "yes" : "no",
      r.email,
      r.name,
      r.levelName,
      r.status,
      r.levelSince,
      r.levelExpiresAt,
      r.spend,
      r.points,
      r.birthday ?? null,
    ]);
  }
  return toCsv([...EXPORT_COLUMNS], out);
}

export interface MemberImportRow {
  /** 1-based line in the file (the header is line 1), for error messages. */
  line: number;
  customerGid: string;
  /** Level id, or null to remove the level. */
  level: string | null;
  locked: boolean;
  /** Points to add (or take, when negative) as an adjustment; 0 = none. */
  points: number;
  /** "MM-DD" when the row has a birthday (set only where the member has none); null otherwise. */
  birthday: string | null;
}

export interface ImportProblem {
  line: number;
  message: string;
}

const YES = new Set(["yes", "true", "1", "y"]);
const NO = new Set(["no", "false", "0", "n", ""]);

/** Customer ids as Shopify exports them (numbers) or as GIDs. */
export function customerGid(raw: string): string | null {
  const s = raw.trim();
  if (/^\d{1,20}$/.test(s)) return `gid://shopify/Customer/${s}`;
  if (/^gid:\/\/shopify\/Customer\/\d{1,20}$/.test(s)) return s;
  return null;
}

/**
 * Reads an import file against the levels that exist (matched by id or, case-insensitively, by name). Every problem
 * is reported with its line, and nothing is imported unless the whole file is valid.
 */
export function parseMembersImport(text: string, levels: { id: string; name: string }[]): { rows: MemberImportRow[]; problems: ImportProblem[] } {
  let table: string[][];
  try {
    table = parseCsv(text);
  } catch (e) {
    return { rows: [], problems: [{ line: 0, message: (e as Error).message }] };
  }
  if (table.length === 0)
    return { rows: [], problems: [{ line: 1, message: "The file is empty: it needs a header line with customer_id and level." }] };
  const header = table[0].map((h) => h.trim().toLowerCase());
  const problems: ImportProblem[] = [];
  for (const col of REQUIRED) if (!header.includes(col)) problems.push({ line: 1, message: `The header has no "${col}" column.` });
  if (problems.length) return { rows: [], problems };
  if (table.length - 1 > MAX_IMPORT_ROWS)
    return { rows: [], problems: [{ line: 0, message: `The file has ${table.length - 1} members; import at most ${MAX_IMPORT_ROWS} at a time.` }] };

  const col = (name: string) => header.indexOf(name);
  const byId = new Map(levels.map((l) => [l.id, l.id]));
  const byName = new Map(levels.map((l) => [l.name.trim().toLowerCase(), l.id]));
  const seen = new Map<string, number>();
  const rows: MemberImportRow[] = [];

  table.slice(1).forEach((cells, i) => {
    const line = i + 2;
    const cell = (name: string) => (col(name) >= 0 ? (cells[col(name)] ?? "").trim() : "");
    const gid = customerGid(cell("customer_id"));
    if (!gid) {
      problems.push({ line, message: `customer_id "${cell("customer_id")}" is not a Shopify customer id (a number or gid://shopify/Customer/…).` });
      return;
    }
    if (seen.has(gid)) {
      problems.push({ line, message: `customer ${gid} is already on line ${seen.get(gid)}.` });
      return;
    }
    seen.set(gid, line);
    const levelRaw = cell("level");
    const level = levelRaw === "" ? null : (byId.get(levelRaw) ?? byName.get(levelRaw.toLowerCase()) ?? undefined);
    if (level === undefined) {
      problems.push({ line, message: `level "${levelRaw}" is not one of: ${levels.map((l) => l.id).join(", ")} (or empty for no level).` });
      return;
    }
    const lockedRaw = cell("locked").toLowerCase();
    if (!YES.has(lockedRaw) && !NO.has(lockedRaw)) {
      problems.push({ line, message: `locked "${cell("locked")}" must be yes or no.` });
      return;
    }
    const pointsRaw = cell("points");
    if (pointsRaw !== "" && !/^-?\d{1,9}$/.test(pointsRaw)) {
      problems.push({ line, message: `points "${pointsRaw}" must be a whole number (negative to take points).` });
      return;
    }
    const birthdayRaw = cell("birthday");
    const birthday = birthdayRaw === "" ? null : parseBirthday(birthdayRaw);
    if (birthday && !birthday.ok) {
      problems.push({ line, message: `birthday: ${birthday.message}` });
      return;
    }
    rows.push({
      line,
      customerGid: gid,
      level,
      locked: YES.has(lockedRaw),
      points: pointsRaw === "" ? 0 : Number(pointsRaw),
      birthday: birthday ? birthday.birthday : null,
    });
  });
  return { rows, problems };
}
