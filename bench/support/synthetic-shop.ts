// A deterministic synthetic shop written straight into the database (multi-row INSERTs through createMany, not
// webhooks): customers with paid orders (1–3 lines, shipping, tax), refunds and cancellations, and a published
// program. Shared by bench/recalc.ts (1M members, 10M orders) and the full-recalculation tests (a few hundred).
import type { Prisma } from "@prisma/client";
import type { Db } from "../../app/db.server.ts";

export const SYNTHETIC_START = Date.UTC(2025, 0, 1);
export const SYNTHETIC_AS_OF = new Date(Date.UTC(2027, 0, 1));
const DAY = 86_400_000;
const SPAN_DAYS = 730;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Customer GIDs of the synthetic shop (fixed width, so key order is numeric order too). */
export const syntheticCustomer = (i: number) => `gid://shopify/Customer/${String(1_000_000_000 + i)}`;

/** The bench's program; `goldAt` moves Gold's spend threshold (a re-tier flips members across it). */
export function syntheticProgramJson(goldAt = "2500.00") {
  return {
    currency: "USD",
    window: { kind: "rolling", days: 365 },
    validity: { kind: "oneYear" },
    graceDays: 30,
    retention: { extendDays: 180 },
    points: { earn: [{ per: "amount", every: "1.00", points: 1, prorate: true }], rounding: "down", expiryDays: 365 },
    levels: [
      { id: "bronze", name: "Bronze", rank: 1, upgrade: [[{ kind: "orderCount", count: 2 }], [{ kind: "accumulatedSpend", amount: "100.00" }]], upgradePoints: 50 },
      { id: "silver", name: "Silver", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "800.00" }, { kind: "orderCount", count: 3 }]], retainAmount: "400.00", upgradePoints: 100 },
      { id: "gold", name: "Gold", rank: 3, upgrade: [[{ kind: "accumulatedSpend", amount: goldAt }], [{ kind: "singleOrder", amount: "1500.00" }]], retainAmount: "1200.00", upgradePoints: 250 },
    ],
  };
}

export interface SyntheticShopOptions {
  shop: string;
  members: number;
  orders: number;
  seed?: number;
  /** Rows per INSERT. */
  chunk?: number;
  /** Called after each chunk of orders (progress on long generations). */
  onProgress?: (ordersWritten: number) => void;
}

export interface SyntheticShopSummary {
  members: number;
  orders: number;
  refunds: number;
  cancellations: number;
}

/** Writes the shop row, a published program and the facts. The shop must not exist yet. */
export async function generateSyntheticShop(db: Db, opts: SyntheticShopOptions): Promise<SyntheticShopSummary> {
  const rand = mulberry32(opts.seed ?? 20260301);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const chunk = opts.chunk ?? 2000;
  const publishedAt = new Date(SYNTHETIC_START - DAY);
  await db.shop.create({ data: { domain: opts.shop, currency: "USD", installedAt: publishedAt, rewardsFrom: null } });
  await db.programVersion.create({ data: { shop: opts.shop, status: "published", programJson: JSON.stringify(syntheticProgramJson()), publishedAt, createdAt: publishedAt } });

  // Orders per customer: even, with the remainder and a skew spread at random (the total stays exact).
  const per = new Int32Array(opts.members).fill(Math.floor(opts.orders / opts.members));
  for (let left = opts.orders - per.reduce((s, n) => s + n, 0); left > 0; left--) per[int(0, opts.members - 1)]++;
  for (let i = 0; i < opts.members; i++) {
    const a = int(0, opts.members - 1);
    const b = int(0, opts.members - 1);
    const k = Math.min(per[a] - 1, int(0, 8));
    if (k > 0) {
      per[a] -= k;
      per[b] += k;
    }
  }

  let orderRows: Prisma.OrderFactCreateManyInput[] = [];
  let refundRows: Prisma.RefundFactCreateManyInput[] = [];
  const summary: SyntheticShopSummary = { members: opts.members, orders: 0, refunds: 0, cancellations: 0 };
  const flush = async (force: boolean) => {
    if (orderRows.length >= chunk || (force && orderRows.length)) {
      await db.orderFact.createMany({ data: orderRows });
      summary.orders += orderRows.length;
      orderRows = [];
      opts.onProgress?.(summary.orders);
    }
    if (refundRows.length >= chunk || (force && refundRows.length)) {
      await db.refundFact.createMany({ data: refundRows });
      refundRows = [];
    }
  };
  let orderNo = 0;
  for (let m = 0; m < opts.members; m++) {
    const customerGid = syntheticCustomer(m);
    const times = Array.from({ length: per[m] }, () => SYNTHETIC_START + Math.floor(rand() * SPAN_DAYS * DAY)).sort((a, b) => a - b);
    for (const paid of times) {
      const orderGid = `gid://shopify/Order/${++orderNo}`;
      const lines = Array.from({ length: int(1, 3) }, (_, l) => ({ id: `gid://shopify/LineItem/${orderNo}${l}`, productId: `p${int(0, 498)}`, quantity: int(1, 2), price: int(5, 120) * 100, collectionIds: [], tags: [], giftCard: false }));
      const subtotal = lines.reduce((s, l) => s + l.quantity * l.price, 0);
      const shipping = rand() < 0.6 ? 0 : 990;
      const tax = Math.round(subtotal * 0.08);
      const r = rand();
      const cancelled = r >= 0.05 && r < 0.06;
      orderRows.push({
        shop: opts.shop,
        orderGid,
        customerGid,
        paidAt: new Date(paid),
        cancelledAt: cancelled ? new Date(paid + int(0, 3) * DAY) : null,
        financialStatus: "paid",
        channel: "online_store",
        currency: "USD",
        total: subtotal + shipping + tax,
        subtotal,
        shipping,
        tax,
        linesJson: JSON.stringify(lines),
        sourceUpdatedAt: new Date(paid),
        source: "backfill",
      });
      if (cancelled) summary.cancellations++;
      if (r < 0.05) {
        refundRows.push({
          shop: opts.shop,
          refundGid: `gid://shopify/Refund/${orderNo}`,
          orderGid,
          customerGid,
          createdAt: new Date(paid + int(1, 30) * DAY),
          amount: lines[0].price,
          linesJson: JSON.stringify([{ lineId: lines[0].id, quantity: 1 }]),
        });
        summary.refunds++;
      }
      await flush(false);
    }
  }
  await flush(true);
  return summary;
}

/** Publishes the program again with Gold's threshold moved: the next full recalculation re-tiers members. */
export async function republish(db: Db, shop: string, goldAt: string, publishedAt: Date): Promise<void> {
  await db.programVersion.updateMany({ where: { shop, status: "published" }, data: { status: "superseded" } });
  await db.programVersion.create({ data: { shop, status: "published", programJson: JSON.stringify(syntheticProgramJson(goldAt)), publishedAt, createdAt: publishedAt } });
}
