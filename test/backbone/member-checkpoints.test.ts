// Member state checkpoints through the real recalculation path (recalculateMember / recalculateMembers, and the full
// recalculation's batches after a publication; MemberCheckpoint rows, docs/checkpoints.md), on SQLite and on PostgreSQL when TIERLINE_TEST_DATABASE_URL is set: a seeded stream of
// facts arriving out of order is folded after every arrival with checkpoints, and the same arrivals on a fresh
// database with every checkpoint deleted before each fold (a full replay each time). Member rows, points entries and
// level changes must be equal byte for byte, and a one-shot replay of all the facts on a third database must give the
// same members.
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { DAY_MS } from "~/domain/time";
import { emptyCheckpoint, recalculateRange } from "~/services/full-recalculation.server";
import { recalculateMember, recalculateMembers } from "~/services/member-recalculation.server";
import { CHECKPOINTS_FROM_PUBLICATIONS } from "~/services/recalculation/checkpoints";
import { loadShopContext } from "~/services/shop-context.server";
import { createTestDb, publishProgram, seedShop, type TestDb } from "../support/db";
import { randomProgram, rng, T0, type Rng } from "../recalculation/checkpoint-streams";

const SHOP = "checkpoints.myshopify.com";
const customerGid = (c: number) => `gid://shopify/Customer/${c}`;

type Line = { id: string; productId: string; quantity: number; price: number; collectionIds: string[]; tags: string[]; giftCard: boolean };
type Arrival =
  | { kind: "order"; customer: number; id: string; paidAt: number; lines: Line[] }
  | { kind: "cancel"; customer: number; orderId: string; at: number }
  | { kind: "refund"; customer: number; id: string; orderId: string; at: number; amount: number; lines: { lineId: string; quantity: number }[] }
  | { kind: "assign"; customer: number; key: string; at: number; level: string | null; lock: boolean }
  | { kind: "points"; customer: number; key: string; at: number; points: number }
  | { kind: "publish"; at: number; program: unknown };

/**
 * Facts of a few customers in arrival order: mostly in time order, some delivered late (a late webhook, a backdated
 * order or adjustment), refunds dated before their order's arrival, cancellations of orders already stored, and
 * publications (some dated in the past).
 */
function stream(r: Rng, size: number, customers: number): Arrival[] {
  const out: Arrival[] = [];
  const orders: { customer: number; id: string; at: number; lines: Line[] }[] = [];
  let t = T0;
  for (let n = 0; n < size; n++) {
    t += r.int(0, 20) * DAY_MS + r.int(0, 5) * 3_600_000;
    // A late or backdated fact is dated up to ten days before the facts already delivered.
    const at = r.chance(0.15) ? t - r.int(1, 10) * DAY_MS : t;
    const customer = r.int(1, customers);
    const roll = r.next();
    if (roll < 0.5 || orders.length === 0) {
      const id = `gid://shopify/Order/${n + 1}`;
      const lines = Array.from({ length: r.int(1, 3) }, (_, k) => ({
        id: `gid://shopify/LineItem/${n * 10 + k}`,
        productId: `gid://shopify/Product/${r.int(1, 5)}`,
        quantity: r.int(1, 3),
        price: r.int(5, 150) * 100,
        collectionIds: [],
        tags: r.chance(0.4) ? ["vip"] : [],
        giftCard: false,
      }));
      orders.push({ customer, id, at, lines });
      out.push({ kind: "order", customer, id, paidAt: at, lines });
    } else if (roll < 0.68) {
      const o = r.pick(orders);
      const lines = r.chance(0.7) ? [{ lineId: r.pick(o.lines).id, quantity: 1 }] : [];
      // Some refunds arrive before their order: the order is then delivered right after.
      const early = r.chance(0.2) && out[out.length - 1]?.kind === "order" && (out[out.length - 1] as { id: string }).id === o.id;
      const refund: Arrival = {
        kind: "refund",
        customer: o.customer,
        id: `gid://shopify/Refund/${n}`,
        orderId: o.id,
        at: Math.max(at, o.at),
        amount: r.int(1, 50) * 100,
        lines,
      };
      if (early) out.splice(out.length - 1, 0, refund);
      else out.push(refund);
    } else if (roll < 0.72) {
      const o = r.pick(orders);
      out.push({ kind: "cancel", customer: o.customer, orderId: o.id, at: Math.max(at, o.at) });
    } else if (roll < 0.8) {
      out.push({ kind: "assign", customer, key: `assign-${n}`, at, level: r.pick([null, "silver", "gold", "vip"]), lock: r.chance(0.5) });
    } else if (roll < 0.9) {
      out.push({ kind: "points", customer, key: `points-${n}`, at, points: r.int(-60, 120) });
    } else {
      out.push({ kind: "publish", at, program: randomProgram(r) });
    }
  }
  return out;
}

/** Stores one arrival as the webhook and admin paths would; returns the customers whose member it touches (all for a publication). */
async function store(db: Db, a: Arrival, customers: number): Promise<number[]> {
  switch (a.kind) {
    case "order": {
      const subtotal = a.lines.reduce((s, l) => s + l.price * l.quantity, 0);
      const row = {
        shop: SHOP,
        orderGid: a.id,
        customerGid: customerGid(a.customer),
        paidAt: new Date(a.paidAt),
        currency: "USD",
        total: subtotal,
        subtotal,
        shipping: 0,
        tax: 0,
        linesJson: JSON.stringify(a.lines),
        sourceUpdatedAt: new Date(a.paidAt),
        scopeState: "resolved",
      };
      await db.orderFact.create({ data: row });
      await db.refundFact.updateMany({ where: { shop: SHOP, orderGid: a.id }, data: { customerGid: customerGid(a.customer) } });
      return [a.customer];
    }
    case "cancel":
      await db.orderFact.update({ where: { shop_orderGid: { shop: SHOP, orderGid: a.orderId } }, data: { cancelledAt: new Date(a.at) } });
      return [a.customer];
    case "refund": {
      const order = await db.orderFact.findUnique({ where: { shop_orderGid: { shop: SHOP, orderGid: a.orderId } } });
      await db.refundFact.create({
        data: {
          shop: SHOP,
          refundGid: a.id,
          orderGid: a.orderId,
          customerGid: order?.customerGid ?? null,
          createdAt: new Date(a.at),
          amount: a.amount,
          linesJson: JSON.stringify(a.lines),
        },
      });
      return [a.customer];
    }
    case "assign":
      await db.memberAdjustment.create({
        data: {
          shop: SHOP,
          customerGid: customerGid(a.customer),
          kind: "assignLevel",
          at: new Date(a.at),
          levelId: a.level,
          lock: a.lock,
          key: a.key,
          actor: "admin",
        },
      });
      return [a.customer];
    case "points":
      await db.memberAdjustment.create({
        data: {
          shop: SHOP,
          customerGid: customerGid(a.customer),
          kind: "points",
          at: new Date(a.at),
          points: a.points,
          note: "goodwill",
          key: a.key,
          actor: "admin",
        },
      });
      return [a.customer];
    case "publish":
      await publishProgram(db, SHOP, a.program, new Date(a.at));
      return Array.from({ length: customers }, (_, k) => k + 1);
  }
}

/** What a merchant and Shopify see of the members: rows without database ids and row timestamps, by customer. */
async function visible(db: Db) {
  const members = await db.member.findMany({ where: { shop: SHOP }, orderBy: { customerGid: "asc" } });
  const gidOf = new Map(members.map((m) => [m.id, m.customerGid]));
  const entries = await db.pointsEntry.findMany({ where: { shop: SHOP } });
  const changes = await db.levelChange.findMany({ where: { shop: SHOP } });
  const strip = <T extends Record<string, unknown>>(row: T, drop: string[]) =>
    Object.fromEntries(Object.entries(row).filter(([k]) => !drop.includes(k)));
  const by = (a: Record<string, unknown>, b: Record<string, unknown>) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  return {
    members: members.map((m) => strip(m, ["id", "createdAt", "updatedAt"])),
    entries: entries.map((e) => ({ ...strip(e, ["id", "memberId", "idempotencyKey", "createdAt"]), customer: gidOf.get(e.memberId) })).sort(by),
    changes: changes.map((c) => ({ ...strip(c, ["id", "memberId", "createdAt"]), customer: gidOf.get(c.memberId) })).sort(by),
  };
}

/** The member state columns alone (a one-shot replay writes no corrections, so only the state compares). */
const state = (v: Awaited<ReturnType<typeof visible>>) =>
  v.members.map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => !["version", "evaluatedAt"].includes(k))));

describe("checkpointed recalculation = full replay, on the database", () => {
  const dbs: TestDb[] = [];
  afterEach(async () => {
    for (const t of dbs.splice(0)) await t.cleanup();
  });
  const fresh = async () => {
    const t = await createTestDb();
    dbs.push(t);
    await seedShop(t.db, SHOP, { rewardsFrom: null });
    // Published often enough for its members to keep checkpoints (CHECKPOINTS_FROM_PUBLICATIONS).
    const r = rng(1);
    for (let v = 0; v <= CHECKPOINTS_FROM_PUBLICATIONS; v++) await publishProgram(t.db, SHOP, randomProgram(r), new Date(T0 - (10 - v) * DAY_MS));
    return t.db;
  };

  it.each([
    [11, "recalculateMembers"],
    [12, "recalculateMembers"],
    [11, "the full recalculation"],
    [13, "the full recalculation"],
    [14, "the full recalculation, resuming only long histories"],
  ] as const)("seed %i: facts out of order, folded after every arrival, publications through %s", async (seed, afterPublication) => {
    const CUSTOMERS = 2;
    const arrivals = stream(rng(seed), 20, CUSTOMERS);
    const [withCheckpoints, fullReplay, oneShot] = [await fresh(), await fresh(), await fresh()];
    let now = T0;
    for (const [k, a] of arrivals.entries()) {
      now = Math.max(now, "paidAt" in a ? a.paidAt : a.at) + 3_600_000;
      const opts = { now: new Date(now), origin: "live" as const };
      for (const db of [withCheckpoints, fullReplay]) {
        const touched = await store(db, a, CUSTOMERS);
        if (db === fullReplay) await db.memberCheckpoint.deleteMany({});
        const ctx = await loadShopContext(db, SHOP);
        // One customer through recalculateMember, a publication's customers in one chunk through recalculateMembers.
        if (touched.length === 1) await recalculateMember(db, ctx, customerGid(touched[0]), opts);
        else if (afterPublication === "recalculateMembers")
          await recalculateMembers(db, ctx, touched.map(customerGid), { ...opts, origin: "replay", chunkSize: k % 2 ? 1 : 10 });
        // The full recalculation's batches (loadCheckpointsOfRange, saveCheckpointsMany; on PostgreSQL the orders'
        // lines rebuilt from their measures), one customer or all of them per batch: every member resumed from their
        // checkpoint, or (its own choice, retierResumes) these short histories folded from the first fact.
        else
          await recalculateRange(db, ctx, { after: null, upTo: null }, emptyCheckpoint(), {
            now: opts.now,
            batchSize: k % 2 ? 1 : 10,
            checkpoints: afterPublication === "the full recalculation" ? "always" : undefined,
          });
      }
      await store(oneShot, a, CUSTOMERS);
    }
    const expected = await visible(fullReplay);
    expect(await visible(withCheckpoints)).toEqual(expected);
    expect(expected.members.length).toBeGreaterThan(0);
    expect(await withCheckpoints.memberCheckpoint.count({ where: { eventCount: { gt: 0 } } })).toBeGreaterThan(0);

    // A one-shot replay of every fact on a fresh database gives the same members.
    await recalculateMembers(
      oneShot,
      await loadShopContext(oneShot, SHOP),
      Array.from({ length: CUSTOMERS }, (_, k) => customerGid(k + 1)),
      {
        now: new Date(now),
      },
    );
    expect(state(await visible(oneShot))).toEqual(state(expected));
  });
});
