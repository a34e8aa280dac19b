import { createHash } from "node:crypto";
import type { Member, Prisma } from "@prisma/client";
import { z } from "zod";
import { formatMoney, parseMoney } from "~/domain/index";
import { containsText, type Db, type DbOrTx } from "~/db/client.server";
import { levelChangeText } from "./audit-trail";
import { FormValidationError, formObject, parseForm } from "~/forms/form-errors";
import { normaliseMoney, text } from "~/forms/form-fields";
import type { ProgramJson } from "~/forms/level-form";
import { membersCsv, parseMembersImport, type MemberExportRow } from "~/forms/members-csv";
import { loadShopContext } from "~/services/shop-context.server";
import { importBirthdays, type ImportedBirthdayOutcome } from "~/services/rewards/birthdays-capture.server";
import { recomputeMemberNow } from "./member-recompute.server";
import { loadVersions, notFound, programOf } from "./program-drafts.server";
import { previewMoves } from "./publish.server";
import type { AuditRow, LedgerRow, LevelOption, MemberDetailView, MemberRow, MembersFilter, MembersView, OrderRow } from "~/forms/view-models";

const PAGE_SIZE = 50;
const STATUSES = ["active", "grace", "frozen", "none"] as const;

const filterSchema = z.object({
  q: z.string().trim().max(200).default(""),
  level: z.string().trim().max(64).optional(),
  status: z.enum(STATUSES).optional().catch(undefined),
  minSpend: z.string().optional(),
  maxSpend: z.string().optional(),
  moveFrom: z.string().trim().max(64).optional(),
  move: z.enum(["up", "down", "stay"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

/** The list's URL parameters; anything malformed is dropped rather than failing the page. */
export function parseMembersFilter(params: URLSearchParams): MembersFilter {
  const f = filterSchema.parse(Object.fromEntries(params.entries()));
  return {
    query: f.q,
    level: f.level || null,
    status: f.status ?? null,
    minSpend: f.minSpend ? normaliseMoney(f.minSpend) : null,
    maxSpend: f.maxSpend ? normaliseMoney(f.maxSpend) : null,
    move: f.moveFrom && f.move ? { from: f.moveFrom, kind: f.move } : null,
    page: f.page,
  };
}

async function publishedProgram(db: DbOrTx, shop: string): Promise<ProgramJson | null> {
  return programOf((await loadVersions(db, shop)).published);
}

function levelNames(program: ProgramJson | null): Map<string, string> {
  return new Map((program?.levels ?? []).map((l) => [l.id, l.name]));
}

export function memberName(m: Pick<Member, "firstName" | "lastName" | "email" | "customerGid">): string {
  const name = [m.firstName, m.lastName].filter(Boolean).join(" ").trim();
  return name || m.email || `Customer ${m.customerGid.split("/").pop()}`;
}

function row(m: Member, names: Map<string, string>): MemberRow {
  return {
    id: m.id,
    customerGid: m.customerGid,
    name: memberName(m),
    email: m.email,
    level: m.levelId,
    levelName: m.levelId ? (names.get(m.levelId) ?? m.levelId) : null,
    status: m.status,
    locked: m.locked,
    spend: formatMoney(m.spend),
    points: m.points,
    levelSince: m.levelSince?.toISOString() ?? null,
  };
}

async function memberWhere(db: DbOrTx, shop: string, f: MembersFilter, now: number): Promise<Prisma.MemberWhereInput> {
  const where: Prisma.MemberWhereInput = { shop, deletedAt: null };
  const and: Prisma.MemberWhereInput[] = [];
  if (f.query) {
    const q = f.query;
    const digits = /^\d+$/.test(q) ? q : null;
    and.push({
      OR: [
        { email: containsText(db, q) },
        { firstName: containsText(db, q) },
        { lastName: containsText(db, q) },
        ...(digits ? [{ customerGid: `gid://shopify/Customer/${digits}` }] : [{ customerGid: q }]),
      ],
    });
  }
  if (f.level) and.push({ levelId: f.level === "none" ? null : f.level });
  if (f.status) and.push({ status: f.status });
  if (f.minSpend) and.push({ spend: { gte: parseMoney(f.minSpend, "minSpend") } });
  if (f.maxSpend) and.push({ spend: { lte: parseMoney(f.maxSpend, "maxSpend") } });
  if (f.move) {
    const ids = await previewMoves(db, shop, f.move.from, f.move.kind, now);
    and.push({ customerGid: { in: ids ?? [] } });
  }
  return and.length ? { ...where, AND: and } : where;
}

export async function membersView(db: Db, shop: string, filter: MembersFilter, now: number): Promise<MembersView> {
  const [program, shopRow, where] = await Promise.all([
    publishedProgram(db, shop),
    db.shop.findUnique({ where: { domain: shop } }),
    memberWhere(db, shop, filter, now),
  ]);
  const names = levelNames(program);
  const [members, total, counts] = await Promise.all([
    db.member.findMany({ where, orderBy: [{ spend: "desc" }, { id: "asc" }], skip: (filter.page - 1) * PAGE_SIZE, take: PAGE_SIZE }),
    db.member.count({ where }),
    db.member.groupBy({ by: ["levelId"], where: { shop, deletedAt: null }, _count: { _all: true } }),
  ]);
  const levels: LevelOption[] = [...(program?.levels ?? [])].sort((a, b) => a.rank - b.rank).map((l) => ({ id: l.id, name: l.name }));
  return {
    currency: shopRow?.currency ?? "USD",
    members: members.map((m) => row(m, names)),
    total,
    page: filter.page,
    pageSize: PAGE_SIZE,
    filter,
    levels,
    counts: Object.fromEntries(counts.map((c) => [c.levelId ?? "none", c._count._all])),
  };
}

/** Every member matching the filter, as CSV (read in batches so a large shop does not load everyone at once). */
export async function exportMembersCsv(db: Db, shop: string, filter: MembersFilter, now: number): Promise<string> {
  const [program, where] = await Promise.all([publishedProgram(db, shop), memberWhere(db, shop, filter, now)]);
  const names = levelNames(program);
  const rows: MemberExportRow[] = [];
  let cursor: string | null = null;
  while (true) {
    const batch: Member[] = await db.member.findMany({
      where,
      orderBy: { id: "asc" },
      take: 2000,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const m of batch) {
      rows.push({
        customerId: m.customerGid,
        level: m.levelId,
        levelName: m.levelId ? (names.get(m.levelId) ?? m.levelId) : null,
        locked: m.locked,
        email: m.email,
        name: [m.firstName, m.lastName].filter(Boolean).join(" ") || null,
        status: m.status,
        levelSince: m.levelSince?.toISOString() ?? null,
        levelExpiresAt: m.levelExpiresAt?.toISOString() ?? null,
        spend: formatMoney(m.spend),
        points: m.points,
        birthday: m.birthday,
      });
    }
    if (batch.length < 2000) break;
    cursor = batch[batch.length - 1].id;
  }
  return membersCsv(rows);
}

export async function memberDetailView(db: Db, shop: string, memberId: string, _now: number): Promise<MemberDetailView> {
  const member = await db.member.findFirst({ where: { id: memberId, shop, deletedAt: null } });
  if (!member) throw notFound("There is no such member.");
  const [program, shopRow, entries, orders, refunds, changes] = await Promise.all([
    publishedProgram(db, shop),
    db.shop.findUnique({ where: { domain: shop } }),
    db.pointsEntry.findMany({ where: { shop, memberId }, orderBy: [{ at: "asc" }, { createdAt: "asc" }] }),
    db.orderFact.findMany({ where: { shop, customerGid: member.customerGid, paidAt: { not: null } }, orderBy: { paidAt: "desc" }, take: 100 }),
    db.refundFact.findMany({ where: { shop, customerGid: member.customerGid } }),
    db.levelChange.findMany({ where: { shop, memberId, retractedAt: null }, orderBy: { at: "desc" }, take: 100 }),
  ]);
  const currency = shopRow?.currency ?? "USD";
  const names = levelNames(program);
  let balance = 0;
  const ledger: LedgerRow[] = entries.map((e) => {
    balance += e.points;
    return { key: e.key, at: e.at.toISOString(), kind: e.kind, points: e.points, note: e.note, orderId: e.orderGid, balance };
  });
  const refunded = new Map<string, number>();
  for (const r of refunds) refunded.set(r.orderGid, (refunded.get(r.orderGid) ?? 0) + r.amount);
  const orderRows: OrderRow[] = orders.map((o) => ({
    orderGid: o.orderGid,
    name: o.name ?? `#${o.orderGid.split("/").pop()}`,
    paidAt: o.paidAt!.toISOString(),
    total: formatMoney(o.total),
    refunded: formatMoney(refunded.get(o.orderGid) ?? 0),
    cancelled: o.cancelledAt !== null,
    waitingForProductData: o.scopeState === "unresolved",
  }));
  const audit: AuditRow[] = changes.map((c) => ({
    at: c.at.toISOString(),
    from: c.fromLevelId,
    to: c.toLevelId === "" ? null : c.toLevelId,
    cause: c.cause,
    text: levelChangeText(c, names, currency),
  }));
  const next = member.nextLevelId ? { id: member.nextLevelId, name: names.get(member.nextLevelId) ?? member.nextLevelId } : null;
  const percent =
    member.remainingSpend !== null && member.remainingSpend !== undefined && member.spend + member.remainingSpend > 0
      ? Math.round((member.spend / (member.spend + member.remainingSpend)) * 100)
      : null;
  const levels: LevelOption[] = [...(program?.levels ?? [])].sort((a, b) => a.rank - b.rank).map((l) => ({ id: l.id, name: l.name }));
  return {
    currency,
    member: {
      ...row(member, names),
      levelExpiresAt: member.levelExpiresAt?.toISOString() ?? null,
      graceEndsAt: member.graceEndsAt?.toISOString() ?? null,
    },
    progress: next
      ? {
          next,
          remainingSpend: member.remainingSpend !== null ? formatMoney(member.remainingSpend) : null,
          remainingPoints: member.remainingPoints,
          percent,
        }
      : null,
    ledger: ledger.reverse(),
    orders: orderRows,
    audit,
    levels,
  };
}

const submissionKey = z
  .string()
  .trim()
  .max(64, "Invalid form key")
  .regex(/^[A-Za-z0-9-]*$/, "Invalid form key")
  .optional()
  .transform((k) => k || undefined);

const memberIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("assign"),
      level: z.string().trim().max(64).default(""),
      lock: z.enum(["true", "false"]).default("false"),
      /** A form submission id: resubmitting the same form does not assign twice. */
      key: submissionKey,
    }),
    z.object({
      intent: z.literal("adjustPoints"),
      points: z
        .string({ error: "Enter the points to add or remove" })
        .trim()
        .regex(/^[+-]?\d{1,9}$/, "Points must be a whole number, negative to remove (e.g. -50)")
        .transform(Number)
        .refine((n) => n !== 0, "Points must not be 0"),
      note: text("Note", 500),
      key: submissionKey,
    }),
  ],
  { error: "Unknown action" },
);

/**
 * Manual level assignment (with or without lock) and points adjustments. Both are facts the merchant adds
 * (MemberAdjustment, idempotent by form key); the member is then recomputed from all their facts, so the result is
 * exactly what a later replay gives. An adjustment is a new ledger entry; nothing is edited.
 */
export async function memberAction(
  db: Db,
  shop: string,
  memberId: string,
  form: FormData,
  now: number,
): Promise<{ memberId: string; applied: boolean }> {
  const input = parseForm(memberIntent, formObject(form));
  const member = await db.member.findFirst({ where: { id: memberId, shop, deletedAt: null } });
  if (!member) throw notFound("There is no such member.");
  const at = new Date(now);
  const key = `admin:${
    input.key ??
    createHash("sha256")
      .update(`${memberId}:${JSON.stringify(input)}:${now}`)
      .digest("hex")
      .slice(0, 24)
  }`;

  let data: Prisma.MemberAdjustmentCreateManyInput;
  if (input.intent === "assign") {
    const level = input.level || null;
    if (level) {
      const program = await publishedProgram(db, shop);
      const found = (program?.levels ?? []).find((l) => l.id === level);
      if (!found) throw new FormValidationError({ level: "Choose a level of the published program." }, 422);
      if (found.enabled === false)
        throw new FormValidationError({ level: `${found.name} is disabled; enable it (and publish) before assigning it.` }, 422);
    }
    data = { shop, customerGid: member.customerGid, kind: "assignLevel", at, levelId: level, lock: input.lock === "true", key };
  } else {
    if (input.points < 0 && member.points + input.points < 0) {
      throw new FormValidationError({ points: `The member has ${member.points} points; at most ${member.points} can be removed.` }, 422);
    }
    data = { shop, customerGid: member.customerGid, kind: "points", at, points: input.points, note: input.note, key };
  }
  // The form's key makes a double submit (or a retried request) one fact, not two.
  if (await db.memberAdjustment.findUnique({ where: { shop_key: { shop, key } } })) return { memberId, applied: false };
  try {
    await db.memberAdjustment.create({ data });
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") return { memberId, applied: false };
    throw e;
  }
  await recomputeMemberNow(db, shop, member.customerGid, now);
  return { memberId, applied: true };
}

const importIntent = z.object({ intent: z.literal("import", { error: "Unknown action" }) });
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** Rows per query: SQLite allows at most 32,766 bound parameters per statement. */
const CHUNK = 500;

/**
 * CSV import: validates the whole file first (every bad line is reported, nothing is written), then records each row
 * as an assignment by hand (`actor: "import"`) and, when given, a points adjustment. A file imported twice changes
 * nothing the second time (row keys are a hash of the file and the line).
 */
export async function importMembersAction(
  db: Db,
  shop: string,
  form: FormData,
  now: number,
): Promise<{ imported: number; created: number; birthdays: ImportedBirthdayOutcome[] }> {
  parseForm(importIntent, { intent: form.get("intent") ?? "import" });
  const file = form.get("file");
  if (!file || typeof file === "string") throw new FormValidationError({ file: "Choose a CSV file to import." }, 400);
  if (file.size > MAX_IMPORT_BYTES) throw new FormValidationError({ file: "The file is larger than 5 MB; split it into smaller files." }, 400);
  const content = await file.text();
  const program = await publishedProgram(db, shop);
  const levels = (program?.levels ?? []).filter((l) => l.enabled !== false).map((l) => ({ id: l.id, name: l.name }));
  const { rows, problems } = parseMembersImport(content, levels);
  if (problems.length)
    throw new FormValidationError(
      Object.fromEntries(problems.map((p) => [`line ${p.line}`, p.line > 0 ? `Line ${p.line}: ${p.message}` : p.message])),
      422,
    );
  const fileHash = createHash("sha256").update(content).digest("hex").slice(0, 16);
  const at = new Date(now);

  const existing = new Set<string>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK).map((r) => r.customerGid);
    for (const m of await db.member.findMany({ where: { shop, customerGid: { in: chunk } }, select: { customerGid: true } }))
      existing.add(m.customerGid);
  }
  const adjustments: Prisma.MemberAdjustmentCreateManyInput[] = [];
  for (const r of rows) {
    adjustments.push({
      shop,
      customerGid: r.customerGid,
      kind: "assignLevel",
      at,
      levelId: r.level,
      lock: r.locked,
      key: `import:${fileHash}:${r.line}:level`,
      actor: "import",
    });
    if (r.points !== 0)
      adjustments.push({
        shop,
        customerGid: r.customerGid,
        kind: "points",
        at,
        points: r.points,
        note: "CSV import",
        key: `import:${fileHash}:${r.line}:points`,
        actor: "import",
      });
  }
  // All rows or none: the facts go in one transaction. Keys make a re-import a no-op.
  await db.$transaction(async (tx) => {
    for (let i = 0; i < adjustments.length; i += CHUNK) {
      const chunk = adjustments.slice(i, i + CHUNK);
      const seen = new Set(
        (await tx.memberAdjustment.findMany({ where: { shop, key: { in: chunk.map((a) => a.key) } }, select: { key: true } })).map((a) => a.key),
      );
      const todo = chunk.filter((a) => !seen.has(a.key));
      if (todo.length) await tx.memberAdjustment.createMany({ data: todo });
    }
  });
  // Members are then recomputed from their facts (which creates the new ones), like after any other fact.
  const ctx = await loadShopContext(db, shop);
  for (const r of rows) await recomputeMemberNow(db, shop, r.customerGid, now, ctx);
  const created = rows.filter((r) => !existing.has(r.customerGid)).length;
  // Birthdays: set where the member has none (source import), one outcome per row that had one.
  const withBirthday = rows.flatMap((r) => (r.birthday ? [{ line: r.line, customerGid: r.customerGid, birthday: r.birthday }] : []));
  const birthdays = await importBirthdays(db, shop, withBirthday, fileHash, at);
  return { imported: rows.length, created, birthdays };
}
