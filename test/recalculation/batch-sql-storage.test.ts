import { PrismaClient } from "@prisma/client";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { adapterFor, dbProvider, type Db, type Tx } from "~/db/client.server";
import { applyBatchWrites, insertOrderFacts } from "~/services/recalculation/batch-sql.server";
import type { BatchWrites } from "~/services/recalculation/batch-writes";
import type { MemberRowData } from "~/services/recalculation/member-writes";
import { createTestDb, testPostgresUrl, type TestDb } from "../support/db";

/**
 * The batch writes store every row exactly as Prisma stores it: the same rows written by Prisma (what the one-member
 * writer does) and by applyBatchWrites are compared as the database holds them, column by column (SQLite: storage
 * class and value; PostgreSQL: row_to_json's text), on whichever database the suite runs. On SQLite both batch paths
 * are compared: the statements on the connection under the transaction, and the JSON rows through Prisma (a client
 * whose connection is not offered). Only createdAt/updatedAt differ in value (the wall clock): their format must not.
 */

const SHOP = "storage.myshopify.com";
const NOW = new Date("2026-06-01T12:34:56.789Z");
const T = (iso: string) => new Date(iso);
const TABLES = ["Member", "PointsEntry", "LevelChange", "SyncState"] as const;
const STAMPS = new Set(["createdAt", "updatedAt"]);

const nothing: BatchWrites = {
  createMembers: [],
  updateMembers: [],
  entries: [],
  changes: [],
  retract: [],
  restore: [],
  rewrite: [],
  createSyncStates: [],
  updateSyncStates: [],
  results: [],
  written: [],
};

const state: MemberRowData = {
  levelId: "gold",
  status: "active",
  levelSince: T("2026-01-02T03:04:05.006Z"),
  levelExpiresAt: T("2027-01-02T03:04:05.006Z"),
  graceEndsAt: null,
  locked: true,
  points: 1234.5678,
  pointsEarned: 0.1 + 0.2,
  spend: 2_147_483_000,
  nextLevelId: "platinum",
  remainingSpend: 99_999,
  remainingPoints: 12.3456,
  nextRequirementsJson: '{"spend":99999,"note":"Zoë \\"quoted\\" ✓"}',
  orderCount: 42,
  reviewAt: T("2026-07-01T00:00:00.000Z"),
  evaluatedAt: NOW,
};

const entry = (id: string, memberId: string, key: string, over: Partial<BatchWrites["entries"][number]> = {}): BatchWrites["entries"][number] => ({
  id,
  memberId,
  idempotencyKey: `${memberId}:${key}`,
  key,
  kind: "earn",
  points: 10.5,
  reversesKey: null,
  orderGid: `gid://shopify/Order/${id}`,
  note: null,
  at: T("2026-03-04T05:06:07.089Z"),
  ...over,
});

const change = (
  id: string,
  memberId: string,
  at: string,
  toLevelId: string,
  over: Partial<BatchWrites["changes"][number]> = {},
): BatchWrites["changes"][number] => ({
  id,
  memberId,
  at: T(at),
  fromLevelId: null,
  toLevelId,
  cause: "upgrade",
  status: "active",
  levelExpiresAt: null,
  reasonJson: '{"group":"Spend ≥ $1,000","orders":["#1001"]}',
  ...over,
});

/** What is stored before a case's writes: one member with an audit trail and a sync state (written by Prisma on every side). */
const before: BatchWrites = {
  ...nothing,
  createMembers: [
    { id: "m-old", customerGid: "gid://shopify/Customer/1", ...state, email: "old@example.com", firstName: "Ada", lastName: null, phone: null },
  ],
  entries: [entry("e-old", "m-old", "earn:gid://shopify/Order/1")],
  changes: [
    change("lc-standing", "m-old", "2026-01-02T03:04:05.006Z", "gold"),
    change("lc-retracted", "m-old", "2026-02-01T00:00:00.000Z", "silver", { fromLevelId: "gold", cause: "downgrade" }),
    change("lc-to-retract", "m-old", "2026-03-01T00:00:00.000Z", ""),
  ],
  retract: ["lc-retracted"],
  createSyncStates: [{ id: "s-old", subject: "gid://shopify/Customer/1", pendingHash: "h-old" }],
};

const cases: { name: string; writes: BatchWrites }[] = [
  {
    name: "a new member with a ledger, an audit trail and a sync state",
    writes: {
      ...nothing,
      createMembers: [
        {
          id: "m-new",
          customerGid: "gid://shopify/Customer/2",
          ...state,
          email: "new@example.com",
          firstName: "Zoë",
          lastName: "O'Brien \\ ✓",
          phone: "+15550100",
        },
        {
          id: "m-bare",
          customerGid: "gid://shopify/Customer/3",
          ...state,
          levelId: null,
          status: "none" as const,
          levelSince: null,
          levelExpiresAt: null,
          locked: false,
          points: 0,
          pointsEarned: -12.25,
          spend: 0,
          nextLevelId: null,
          remainingSpend: null,
          remainingPoints: null,
          nextRequirementsJson: null,
          reviewAt: null,
        },
      ],
      entries: [
        entry("e-1", "m-new", "earn:gid://shopify/Order/2"),
        entry("e-2", "m-new", "reverse:gid://shopify/Refund/3", {
          kind: "refund",
          points: -3.3333,
          reversesKey: "earn:gid://shopify/Order/2",
          note: 'refund ✓ "partial"',
        }),
        entry("e-3", "m-new", "correct:earn:gid://shopify/Order/2#1", { kind: "correction", points: 1e-4, orderGid: null, at: NOW }),
        entry("e-4", "m-bare", "adjust:1", { kind: "adjust", points: 100, orderGid: null, note: "goodwill" }),
        // Floats Prisma rounds to 16 digits: an inexact third, and ties to an odd and to an even 16th digit.
        entry("e-5", "m-bare", "adjust:2", { kind: "adjust", points: 1 / 3, orderGid: null }),
        entry("e-6", "m-bare", "adjust:3", { kind: "adjust", points: 1234567890123.1875, orderGid: null }),
        entry("e-7", "m-bare", "adjust:4", { kind: "adjust", points: -1234567890123.3125, orderGid: null }),
      ],
      changes: [
        change("lc-1", "m-new", "2026-03-04T05:06:07.089Z", "gold", { levelExpiresAt: T("2027-03-04T05:06:07.089Z") }),
        change("lc-2", "m-new", "2026-04-04T00:00:00.000Z", "", { fromLevelId: "gold", cause: "expiry", status: "none" }),
      ],
      createSyncStates: [
        { id: "s-new", subject: "gid://shopify/Customer/2", pendingHash: "h-new" },
        { id: "s-bare", subject: "gid://shopify/Customer/3", pendingHash: "h-bare" },
      ],
    },
  },
  {
    name: "a stored member brought up to date: state, profile filled, audit rows retracted, restored and rewritten, sync owed",
    writes: {
      ...nothing,
      // lastName filled, email replaced, firstName and phone absent: kept as stored.
      updateMembers: [
        {
          id: "m-old",
          ...state,
          locked: false,
          graceEndsAt: NOW,
          levelExpiresAt: null,
          points: 0.0001,
          email: "new@example.com",
          lastName: "Lovelace",
        },
      ],
      entries: [entry("e-next", "m-old", "earn:gid://shopify/Order/9", { at: NOW })],
      retract: ["lc-to-retract"],
      restore: ["lc-retracted"],
      rewrite: [
        {
          id: "lc-standing",
          data: {
            fromLevelId: "silver",
            cause: "upgrade",
            status: "grace",
            levelExpiresAt: T("2026-12-31T23:59:59.999Z"),
            reasonJson: '{"late":true}',
          },
        },
      ],
      updateSyncStates: [{ id: "s-old", pendingHash: "h-next" }],
    },
  },
];

/** The reference: the rows as Prisma writes them (create, createMany, update, updateMany: the one-member writer's calls). */
async function writeWithPrisma(tx: Tx, w: BatchWrites, now: Date): Promise<void> {
  for (const m of w.createMembers) await tx.member.create({ data: { shop: SHOP, ...m, version: 1 } });
  if (w.entries.length) await tx.pointsEntry.createMany({ data: w.entries.map((e) => ({ ...e, shop: SHOP })) });
  if (w.changes.length) await tx.levelChange.createMany({ data: w.changes.map((c) => ({ ...c, shop: SHOP })) });
  if (w.retract.length) await tx.levelChange.updateMany({ where: { id: { in: w.retract } }, data: { retractedAt: now } });
  if (w.restore.length) await tx.levelChange.updateMany({ where: { id: { in: w.restore } }, data: { retractedAt: null } });
  for (const s of w.createSyncStates) await tx.syncState.create({ data: { shop: SHOP, ...s } });
  for (const { id, ...data } of w.updateMembers) await tx.member.update({ where: { id }, data: { ...data, version: { increment: 1 } } });
  for (const r of w.rewrite) await tx.levelChange.update({ where: { id: r.id }, data: r.data });
  for (const s of w.updateSyncStates)
    await tx.syncState.update({ where: { id: s.id }, data: { pendingHash: s.pendingHash, failures: 0, lastError: null } });
}

/**
 * A stamp's format, its digits masked: the wall clock differs, how it is written must not. (PostgreSQL's row_to_json
 * drops a fraction's trailing zeros, so there the fraction is left out.)
 */
const format = (v: unknown) => (typeof v === "string" ? v.replace(/\.\d+$/, (f) => (testPostgresUrl ? "" : f)).replace(/\d/g, "9") : v);

/** Every row of the four tables as the database holds it: SQLite's storage class and value, PostgreSQL's row_to_json. */
async function storedRows(t: TestDb, tables: readonly string[] = TABLES): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  if (dbProvider(t.db) === "postgresql") {
    for (const table of tables) {
      const rows = await t.db.$queryRawUnsafe<{ j: string }[]>(`SELECT row_to_json(t)::text AS j FROM "${table}" t ORDER BY "id"`);
      out[table] = rows.map((r) => Object.fromEntries(Object.entries(JSON.parse(r.j)).map(([k, v]) => [k, STAMPS.has(k) ? format(v) : v])));
    }
    return out;
  }
  const sqlite = new Database(t.file, { readonly: true });
  try {
    for (const table of tables) {
      const columns = (sqlite.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
      const select = columns.map((c, i) => `typeof("${c}") AS t${i}, "${c}" AS v${i}`).join(", ");
      const rows = sqlite.prepare(`SELECT ${select} FROM "${table}" ORDER BY "id"`).all() as Record<string, unknown>[];
      out[table] = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, [r[`t${i}`], STAMPS.has(c) ? format(r[`v${i}`]) : r[`v${i}`]]])));
    }
    return out;
  } finally {
    sqlite.close();
  }
}

const opened: TestDb[] = [];
const clients: Db[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.$disconnect();
  for (const t of opened.splice(0)) await t.cleanup();
});

type Writer = (db: Db, w: BatchWrites) => Promise<void>;
const viaPrisma: Writer = (db, w) => db.$transaction((tx) => writeWithPrisma(tx, w, NOW));
const viaBatch: Writer = (db, w) => db.$transaction((tx) => applyBatchWrites(tx, dbProvider(db), SHOP, w, NOW));

/** The writers compared with Prisma's rows: the batch as the app runs it, and on SQLite the batch through Prisma alone. */
const writers: { name: string; client: (t: TestDb) => Db }[] = [
  { name: "applyBatchWrites", client: (t) => t.db },
  ...(testPostgresUrl
    ? []
    : [
        {
          name: "applyBatchWrites on a client whose connection is not offered (JSON rows through Prisma)",
          client: (t: TestDb) => {
            const client = new PrismaClient({ adapter: adapterFor(t.url) });
            clients.push(client);
            return client;
          },
        },
      ]),
];

describe("the batch writes store what Prisma stores, column by column", () => {
  describe.each(writers)("$name", ({ client }) => {
    it.each(cases)("$name", async ({ writes }) => {
      const reference = await createTestDb();
      const batch = await createTestDb();
      opened.push(reference, batch);
      await viaPrisma(reference.db, before);
      await viaPrisma(batch.db, before);
      await viaPrisma(reference.db, writes);
      await viaBatch(client(batch), writes);
      const expected = await storedRows(reference);
      const actual = await storedRows(batch);
      expect(actual).toEqual(expected);
      expect(expected.PointsEntry.length).toBeGreaterThan(1);
    });
  });
});

/** New order facts (writeFacts' inserts) as createMany stores them: nulls, flags, the largest amounts, text that needs escaping. */
const orderFacts = [
  {
    id: "o-1",
    orderGid: "gid://shopify/Order/1",
    customerGid: "gid://shopify/Customer/1",
    name: '#1001 Zoë "quoted" ✓',
    paidAt: T("2026-03-04T05:06:07.089Z"),
    cancelledAt: null,
    financialStatus: "paid",
    test: false,
    channel: "web",
    currency: "EUR",
    total: 123_456,
    subtotal: 100_000,
    shipping: 999,
    tax: 22_457,
    hasDiscountCode: true,
    linesJson:
      '[{"id":"gid://shopify/LineItem/1","productId":"gid://shopify/Product/2","quantity":1,"price":100000,"collectionIds":[],"tags":[],"giftCard":false}]',
    sourceUpdatedAt: T("2026-03-04T05:06:08.000Z"),
    source: "webhook",
    scopeState: "unresolved",
  },
  {
    id: "o-2",
    orderGid: "gid://shopify/Order/2",
    customerGid: null,
    name: null,
    paidAt: null,
    cancelledAt: NOW,
    financialStatus: null,
    test: true,
    channel: null,
    currency: "USD",
    total: 9_007_199_254_740_991,
    subtotal: 0,
    shipping: 0,
    tax: 0,
    hasDiscountCode: false,
    linesJson: "[]",
    sourceUpdatedAt: NOW,
    source: "backfill",
    scopeState: "resolved",
  },
];

describe("new order facts are stored as createMany stores them, column by column", () => {
  it.each(writers)("$name", async ({ client }) => {
    const reference = await createTestDb();
    const batch = await createTestDb();
    opened.push(reference, batch);
    await reference.db.orderFact.createMany({ data: orderFacts.map((o) => ({ ...o, shop: SHOP })) });
    await client(batch).$transaction((tx) => insertOrderFacts(tx, SHOP, orderFacts));
    const expected = await storedRows(reference, ["OrderFact"]);
    expect(await storedRows(batch, ["OrderFact"])).toEqual(expected);
    expect(expected.OrderFact).toHaveLength(2);
  });
});
