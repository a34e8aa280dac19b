// npm run bench:checkpoints — what member state checkpoints (docs/checkpoints.md) make of the re-tier's cost when a
// programme has been published many times, as ratios measured in one process run (a ratio survives a noisy machine;
// an absolute time does not).
//
// The real re-tier (recalculateRange, the full recalculation's batches: facts, checkpoints, fold, stored state, batched
// writes, checkpoints saved) of two shops with the same members and facts, in one database:
//  - "one": a single programme version, re-tiered again (its members' rows already agree);
//  - "twelve": the same programme published twelve times (Gold's threshold moved monthly through the last year of the
//    history, then back), re-tiered once before the twelfth publication (checkpoints kept) and measured right after
//    it. The twelfth version has the rules of the eleventh, so both shops' re-tiers write the same (nothing but
//    checkpoints) and the ratio is the cost of the versions alone. Its checkpoint rows are put back before each round.
// Rounds alternate the shops; the medians of process CPU time (the app and SQLite's engine run in this process; on
// PostgreSQL the server's CPU is not in it, so the wall clock is printed too) per member are compared. Target: the
// re-tier with 12 versions ≤ 1.1× the re-tier with 1. The fold's own CPU time (BatchTimings.engineCpuMs) is printed
// beside it, and every re-tier of "twelve" is checked against a full replay on the way (members, ledgers and audit
// trails equal to those of a re-tier without any checkpoint). "twelve" is re-tiered as the app does it (a member is
// resumed from their checkpoint when their history is long enough for it to pay: retierResumes), and in the same
// rounds with every member resumed (`checkpoints: "always"`) and with checkpoints off (every member folded from the
// first fact, every version replayed), for comparison.
//
// Then the engine alone (no database), per member: the fold with 12 versions vs 1, full replay and from a checkpoint.
//
//   npm run bench:checkpoints -- [--members 2000] [--orders-per 12] [--rounds 5] [--database sqlite|postgres]
// PostgreSQL: TIERLINE_BENCH_DATABASE_URL=$(scripts/postgres.sh url) (a database tierline_bench_checkpoints is made).
import os from "node:os";
import { createDb, type Db } from "../app/db/client.server.ts";
import { evaluateMember, type MemberEvent } from "../app/domain/index.ts";
import { foldFrom, type MemberCheckpoint } from "../app/domain/checkpoint.ts";
import { recalculateRange, type BatchTimings } from "../app/services/full-recalculation.server.ts";
import { CHECKPOINTS_FROM_PUBLICATIONS } from "../app/services/recalculation/checkpoints.ts";
import { loadShopContext } from "../app/services/shop-context.server.ts";
import { publishProgram } from "../tools/local-stack/database.ts";
import { seededRandom } from "../tools/sample-data/seeded-random";
import { freshBenchDatabase } from "./support/bench-database.ts";
import { syntheticProgramJson } from "./support/synthetic-shop.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const DATABASE = arg("database", "sqlite");
const MEMBERS = Number(arg("members", "2000"));
const ORDERS_PER = Number(arg("orders-per", "12"));
const ROUNDS = Number(arg("rounds", "5"));
const ENGINE_MEMBERS = Number(arg("engine-members", "1500"));
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const NOW = new Date(Date.UTC(2027, 0, 1));
const SHOPS = { one: "one.bench-checkpoints.myshopify.com", twelve: "twelve.bench-checkpoints.myshopify.com" } as const;
/** Gold's threshold in versions 1..11 of "twelve" (the twelfth repeats the eleventh; "one" has the last). */
const GOLD = ["2500.00", "2000.00", "3000.00", "2200.00", "2800.00", "1800.00", "3200.00", "2400.00", "2600.00", "2100.00", "2500.00"];

async function freshDatabase(): Promise<{ url: string; drop: () => void }> {
  return freshBenchDatabase(
    DATABASE === "postgres" ? "postgres" : "sqlite",
    DATABASE === "postgres" ? "tierline_bench_checkpoints" : "tierline-bench-checkpoints",
  );
}

/** The same customers and facts in each shop: orders over two years (1–3 lines), some refunded by line or cancelled. */
async function writeShop(db: Db, shop: string): Promise<void> {
  const rand = seededRandom(20261207);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  await db.shop.create({ data: { domain: shop, currency: "USD", installedAt: new Date(START - DAY), rewardsFrom: null } });
  let orders: Record<string, unknown>[] = [];
  let refunds: Record<string, unknown>[] = [];
  const flush = async () => {
    if (orders.length) await db.orderFact.createMany({ data: orders as never });
    if (refunds.length) await db.refundFact.createMany({ data: refunds as never });
    orders = [];
    refunds = [];
  };
  for (let m = 0; m < MEMBERS; m++) {
    const customerGid = `gid://shopify/Customer/${1_000_000 + m}`;
    for (let j = 0; j < ORDERS_PER; j++) {
      const paidAt = new Date(START + int(0, 720) * DAY + int(0, 86_399) * 1000);
      const orderGid = `gid://shopify/Order/${(m * ORDERS_PER + j) * 10 + 1}`;
      const lines = Array.from({ length: int(1, 3) }, (_, k) => ({
        id: `gid://shopify/LineItem/${(m * ORDERS_PER + j) * 10 + k}`,
        productId: `gid://shopify/Product/${int(1, 50)}`,
        quantity: int(1, 2),
        price: int(5, 180) * 100,
        collectionIds: [],
        tags: [],
        giftCard: false,
      }));
      const subtotal = lines.reduce((s, l) => s + l.price * l.quantity, 0);
      const roll = rand();
      orders.push({
        shop,
        orderGid,
        customerGid,
        paidAt,
        currency: "USD",
        total: subtotal,
        subtotal,
        shipping: 0,
        tax: 0,
        linesJson: JSON.stringify(lines),
        sourceUpdatedAt: paidAt,
        scopeState: "resolved",
        cancelledAt: roll > 0.06 && roll < 0.07 ? new Date(paidAt.getTime() + DAY) : null,
      });
      if (roll < 0.06)
        refunds.push({
          shop,
          refundGid: `gid://shopify/Refund/${m * ORDERS_PER + j}`,
          orderGid,
          customerGid,
          createdAt: new Date(paidAt.getTime() + int(1, 20) * DAY),
          amount: lines[0].price,
          linesJson: JSON.stringify([{ lineId: lines[0].id, quantity: 1 }]),
        });
    }
    if (orders.length >= 2000) await flush();
  }
  await flush();
}

/** Each batch's fold CPU, summed over a re-tier. */
const partsName = (shop: string, checkpoints: boolean | "always") =>
  shop === SHOPS.one ? "one" : checkpoints === "always" ? "twelveResumed" : checkpoints ? "twelve" : "twelveFullReplay";
type Parts = Omit<BatchTimings, "members">;
const lastParts: Record<string, Parts> = {};
async function retier(db: Db, shop: string, checkpoints: boolean | "always" = true): Promise<{ cpuMs: number; wallMs: number; engineCpuMs: number }> {
  const ctx = await loadShopContext(db, shop);
  let engineCpuMs = 0;
  const parts: Parts = { engineMs: 0, engineCpuMs: 0, mappingMs: 0, readMs: 0, readFactsMs: 0, readStoredMs: 0, writeMs: 0 };
  lastParts[partsName(shop, checkpoints)] = parts;
  const wall = performance.now();
  const cpu = process.cpuUsage();
  await recalculateRange(
    db,
    ctx,
    { after: null, upTo: null },
    { after: null, done: 0, written: 0, syncOwed: 0, batches: 0 },
    {
      now: NOW,
      checkpoints,
      observeBatch: (t: BatchTimings) => {
        engineCpuMs += t.engineCpuMs;
        for (const k of Object.keys(parts) as (keyof Parts)[]) parts[k] += t[k];
      },
    },
  );
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall, engineCpuMs };
}

/** What a merchant sees of a shop's members: rows without ids and stamps. */
async function visible(db: Db, shop: string) {
  const members = await db.member.findMany({ where: { shop }, orderBy: { customerGid: "asc" } });
  const gidOf = new Map(members.map((m) => [m.id, m.customerGid]));
  const key = (x: unknown) => JSON.stringify(x);
  const entries = (await db.pointsEntry.findMany({ where: { shop } }))
    .map(({ id: _i, memberId, idempotencyKey: _k, createdAt: _c, ...e }) => ({ ...e, customer: gidOf.get(memberId) }))
    .map(key)
    .sort();
  const changes = (await db.levelChange.findMany({ where: { shop } }))
    .map(({ id: _i, memberId, createdAt: _c, ...c }) => ({ ...c, customer: gidOf.get(memberId) }))
    .map(key)
    .sort();
  return { members: members.map(({ id: _i, createdAt: _c, updatedAt: _u, evaluatedAt: _e, version: _v, ...m }) => key(m)), entries, changes };
}

async function rowCounts(db: Db, shop: string) {
  const per = (n: number) => Math.round((n / MEMBERS) * 10) / 10;
  return {
    levelChanges: per(await db.levelChange.count({ where: { shop } })),
    pointsEntries: per(await db.pointsEntry.count({ where: { shop } })),
    checkpoints: per(await db.memberCheckpoint.count({ where: { shop } })),
  };
}

const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const us = (ms: number) => Math.round((ms * 1000) / MEMBERS);

async function realRetier() {
  const { url, drop } = await freshDatabase();
  const db = createDb(url);
  try {
    for (const shop of Object.values(SHOPS)) await writeShop(db, shop);
    await publishProgram(db, SHOPS.one, syntheticProgramJson(GOLD[GOLD.length - 1]), new Date(START - DAY));
    for (const [v, gold] of GOLD.entries())
      await publishProgram(db, SHOPS.twelve, syntheticProgramJson(gold), new Date(v === 0 ? START - DAY : Date.UTC(2026, v, 1)));
    const ctx11 = await loadShopContext(db, SHOPS.twelve);
    if (ctx11.versions.length - 1 < CHECKPOINTS_FROM_PUBLICATIONS) throw new Error("the shop would keep no checkpoints");
    // State before: "one" re-tiered (twice: its second run is what every measured run repeats); "twelve" re-tiered
    // with eleven versions, every member's checkpoints written and copied aside, then the twelfth version published.
    await retier(db, SHOPS.one);
    await retier(db, SHOPS.one);
    await retier(db, SHOPS.twelve, "always"); // checkpoints written for every member, as the drain's folds write them
    await db.$executeRawUnsafe(`CREATE TABLE "BenchCheckpointCopy" AS SELECT * FROM "MemberCheckpoint" WHERE "shop" = '${SHOPS.twelve}'`);
    await publishProgram(db, SHOPS.twelve, syntheticProgramJson(GOLD[GOLD.length - 1]), new Date(NOW.getTime() - 3_600_000));
    const restore = async () => {
      await db.$executeRawUnsafe(`DELETE FROM "MemberCheckpoint" WHERE "shop" = '${SHOPS.twelve}'`);
      await db.$executeRawUnsafe(`INSERT INTO "MemberCheckpoint" SELECT * FROM "BenchCheckpointCopy"`);
      // The rows just put back (10 MB) out of SQLite's WAL into the database file, so the run after a restore reads
      // them as any run would, not through a WAL ten times the usual size (that made the checkpointed re-tier look 20%
      // dearer than it is: 791 against 655 µs a member, then 642 against 614).
      if (DATABASE !== "postgres") await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
    };
    const kept = await db.memberCheckpoint.count({ where: { shop: SHOPS.twelve } });

    // A warm-up round of each (the first run after the publication writes what the publication changed, if anything).
    await restore();
    await retier(db, SHOPS.twelve);
    await retier(db, SHOPS.one);
    const expected = await visible(db, SHOPS.twelve);

    type Run = Awaited<ReturnType<typeof retier>>;
    const runs = { one: [] as Run[], twelve: [] as Run[], twelveResumed: [] as Run[], twelveFullReplay: [] as Run[] };
    let mismatches = 0;
    for (let r = 0; r < ROUNDS; r++) {
      await restore();
      runs.twelve.push(await retier(db, SHOPS.twelve));
      if (JSON.stringify(await visible(db, SHOPS.twelve)) !== JSON.stringify(expected)) mismatches++;
      runs.one.push(await retier(db, SHOPS.one));
      // Every member resumed from their checkpoint, however short their history (the re-tier's own choice is
      // retierResumes: only where the replays it saves outweigh reading the checkpoint).
      await restore();
      runs.twelveResumed.push(await retier(db, SHOPS.twelve, "always"));
      if (JSON.stringify(await visible(db, SHOPS.twelve)) !== JSON.stringify(expected)) mismatches++;
      // The same re-tier folding every member from the first fact, every version replayed (no checkpoint read or written).
      runs.twelveFullReplay.push(await retier(db, SHOPS.twelve, false));
      if (JSON.stringify(await visible(db, SHOPS.twelve)) !== JSON.stringify(expected)) mismatches++;
    }
    if (process.env.BENCH_RUNS)
      console.error(JSON.stringify(Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => Math.round(x.cpuMs))]))));
    const parts = Object.fromEntries(
      Object.entries(lastParts).map(([name, p]) => [name, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, us(v)]))]),
    );
    const rows = { one: await rowCounts(db, SHOPS.one), twelve: await rowCounts(db, SHOPS.twelve) };
    // And with every checkpoint deleted: folded from the first fact, new checkpoints written.
    await db.memberCheckpoint.deleteMany({ where: { shop: SHOPS.twelve } });
    await retier(db, SHOPS.twelve);
    if (JSON.stringify(await visible(db, SHOPS.twelve)) !== JSON.stringify(expected)) mismatches++;

    const m = (xs: { cpuMs: number; wallMs: number; engineCpuMs: number }[], k: "cpuMs" | "wallMs" | "engineCpuMs") => med(xs.map((x) => x[k]));
    return {
      database: DATABASE,
      members: MEMBERS,
      ordersPerMember: ORDERS_PER,
      rounds: ROUNDS,
      checkpointRowsBefore: kept,
      usPerMember: {
        oneVersion: { cpu: us(m(runs.one, "cpuMs")), wall: us(m(runs.one, "wallMs")), engineCpu: us(m(runs.one, "engineCpuMs")) },
        twelveVersions: { cpu: us(m(runs.twelve, "cpuMs")), wall: us(m(runs.twelve, "wallMs")), engineCpu: us(m(runs.twelve, "engineCpuMs")) },
        twelveVersionsResumed: {
          cpu: us(m(runs.twelveResumed, "cpuMs")),
          wall: us(m(runs.twelveResumed, "wallMs")),
          engineCpu: us(m(runs.twelveResumed, "engineCpuMs")),
        },
        twelveVersionsFullReplay: {
          cpu: us(m(runs.twelveFullReplay, "cpuMs")),
          wall: us(m(runs.twelveFullReplay, "wallMs")),
          engineCpu: us(m(runs.twelveFullReplay, "engineCpuMs")),
        },
      },
      // Target ≤ 1.1: the re-tier of a member whose programme was published twelve times against one published once.
      retier12vs1: {
        cpu: ratio(m(runs.twelve, "cpuMs"), m(runs.one, "cpuMs")),
        wall: ratio(m(runs.twelve, "wallMs"), m(runs.one, "wallMs")),
        engineCpu: ratio(m(runs.twelve, "engineCpuMs"), m(runs.one, "engineCpuMs")),
      },
      // Where the last round's wall time went, µs per member (BatchTimings).
      lastRoundUsPerMember: parts,
      // What each shop stores per member (the audit trail grows with publications that moved a member).
      rowsPerMember: rows,
      // Every member resumed from a checkpoint, and without checkpoints (every version replayed), for comparison.
      resumed12vs1: {
        cpu: ratio(m(runs.twelveResumed, "cpuMs"), m(runs.one, "cpuMs")),
        wall: ratio(m(runs.twelveResumed, "wallMs"), m(runs.one, "wallMs")),
        engineCpu: ratio(m(runs.twelveResumed, "engineCpuMs"), m(runs.one, "engineCpuMs")),
      },
      fullReplay12vs1: {
        cpu: ratio(m(runs.twelveFullReplay, "cpuMs"), m(runs.one, "cpuMs")),
        wall: ratio(m(runs.twelveFullReplay, "wallMs"), m(runs.one, "wallMs")),
        engineCpu: ratio(m(runs.twelveFullReplay, "engineCpuMs"), m(runs.one, "engineCpuMs")),
      },
      differential: { compared: 3 * ROUNDS + 1, mismatches },
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
    };
  } finally {
    await db.$disconnect();
    drop();
  }
}

/** The engine alone: the fold of the same members, 12 versions vs 1, full replay and from the checkpoint before the last publication. */
async function engineAlone() {
  const rand = seededRandom(7);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const programs = GOLD.map((g) => JSON.parse(JSON.stringify(syntheticProgramJson(g))) as object);
  const { parseProgram } = await import("../app/domain/index.ts");
  const versions = [...programs, programs[programs.length - 1]].map((p) => parseProgram(p));
  const single = versions[versions.length - 1];
  const publications: MemberEvent[] = versions.slice(1).map((program, v) => ({
    type: "publishProgram",
    at: v === versions.length - 2 ? NOW.getTime() - 3_600_000 : Date.UTC(2026, v + 1, 1),
    program,
  }));
  const histories = Array.from({ length: ENGINE_MEMBERS }, (_, m) =>
    Array.from({ length: ORDERS_PER }, (_, j): MemberEvent => {
      const id = `m${m}-o${j}`;
      const lines = Array.from({ length: int(1, 3) }, (_, k) => ({
        id: `${id}-l${k}`,
        productId: `p${int(1, 50)}`,
        quantity: int(1, 2),
        price: int(5, 180) * 100,
        collectionIds: [],
        tags: [],
        giftCard: false,
      }));
      const subtotal = lines.reduce((s, l) => s + l.price * l.quantity, 0);
      return { type: "orderPaid", at: START + int(0, 720) * DAY, order: { id, total: subtotal, subtotal, shipping: 0, tax: 0, lines } };
    }),
  );
  const twelve = histories.map((h) => [...h, ...publications]);
  const asOf = NOW.getTime();
  const kept = twelve.map((evs) => JSON.stringify(foldFrom(versions[0], evs.slice(0, -1), asOf).latest));
  let mismatches = 0;
  for (let m = 0; m < ENGINE_MEMBERS; m++) {
    const a = foldFrom(versions[0], twelve[m], asOf, { from: [JSON.parse(kept[m]) as MemberCheckpoint] }).outcome;
    if (JSON.stringify(a) !== JSON.stringify(evaluateMember(versions[0], twelve[m], asOf))) mismatches++;
  }
  const perMember = (fn: (m: number) => unknown) => {
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = process.cpuUsage();
      for (let m = 0; m < ENGINE_MEMBERS; m++) fn(m);
      const t = process.cpuUsage(t0);
      times.push((t.user + t.system) / ENGINE_MEMBERS);
    }
    return med(times);
  };
  const t = { one: [] as number[], full12: [] as number[], checkpointed12: [] as number[] };
  for (let pass = 0; pass < 3; pass++) {
    t.one.push(perMember((m) => evaluateMember(single, histories[m], asOf)));
    t.full12.push(perMember((m) => evaluateMember(versions[0], twelve[m], asOf)));
    t.checkpointed12.push(perMember((m) => foldFrom(versions[0], twelve[m], asOf, { from: [JSON.parse(kept[m]) as MemberCheckpoint] }).outcome));
  }
  const one = med(t.one);
  return {
    members: ENGINE_MEMBERS,
    usPerMember: { oneVersion: +one.toFixed(1), fullReplay12: +med(t.full12).toFixed(1), checkpointed12: +med(t.checkpointed12).toFixed(1) },
    fullReplay12vs1: ratio(med(t.full12), one),
    checkpointed12vs1: ratio(med(t.checkpointed12), one),
    checkpointBytes: Math.round(kept.reduce((s, k) => s + k.length, 0) / ENGINE_MEMBERS),
    differential: { compared: ENGINE_MEMBERS, mismatches },
  };
}

const retierResult = await realRetier();
const engine = await engineAlone();
process.stdout.write(`${JSON.stringify({ retier: retierResult, engine }, null, 2)}\n`);
if (retierResult.differential.mismatches > 0 || engine.differential.mismatches > 0) process.exit(1);
