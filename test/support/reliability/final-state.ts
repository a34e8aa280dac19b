import type { Db } from "~/db/client.server";
import type { StandIn } from "../../../tools/shopify-stand-in/index";

/**
 * What a run leaves behind, in a form two runs of the same events can be compared by: the members (level, status,
 * points, spend, orders), the ledger summed per key (a correcting entry is folded into the key it corrects, since how
 * many corrections a run writes depends on when facts arrived, never what they sum to), the audit trail's standing
 * level changes, the order facts, and what Shopify shows (tier tags and the `$app:tierline` metafields).
 */

export interface MemberSnapshot {
  customerGid: string;
  email: string | null;
  levelId: string | null;
  status: string;
  levelSince: string | null;
  points: number;
  pointsEarned: number;
  spend: number;
  orderCount: number;
}

export interface FinalState {
  members: MemberSnapshot[];
  /** `<customer> <key> <sum>` for every ledger key with a non-zero sum. */
  ledger: string[];
  /** `<customer> <at> <from>→<to> <cause>` for every change not retracted. */
  levelChanges: string[];
  /** `<order> <customer> <paidAt> <cancelledAt> <total>` */
  orders: string[];
  refunds: string[];
  /** Per customer: tier tags and the metafields Shopify holds (history reduced to its total). */
  shopify: Record<string, { tags: string[]; level: unknown; progress: unknown; benefits: unknown; historyPoints: number | null }>;
  /** Per order: the net points it earned (earn − reversals). */
  pointsByOrder: Record<string, number>;
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000 + 0;

export async function finalState(db: Db, shop: string, store?: { standIn: StandIn; domain: string; customerGids: string[] }): Promise<FinalState> {
  const members = await db.member.findMany({ where: { shop }, orderBy: { customerGid: "asc" } });
  const gidOf = new Map(members.map((m) => [m.id, m.customerGid]));
  const entries = await db.pointsEntry.findMany({ where: { shop } });
  const sums = new Map<string, number>();
  const pointsByOrder: Record<string, number> = {};
  const orderOfKey = new Map<string, string>();
  for (const e of entries) if (e.orderGid) orderOfKey.set(`${e.memberId} ${e.key}`, e.orderGid);
  for (const e of entries) {
    const key = e.kind === "correction" ? e.reversesKey! : e.key;
    const k = `${gidOf.get(e.memberId)} ${key}`;
    sums.set(k, round4((sums.get(k) ?? 0) + e.points));
    const order = orderOfKey.get(`${e.memberId} ${key}`);
    if (order && (key.startsWith("earn:") || key.startsWith("reverse:") || key.startsWith("cancel:")))
      pointsByOrder[order] = round4((pointsByOrder[order] ?? 0) + e.points);
  }
  const changes = await db.levelChange.findMany({ where: { shop, retractedAt: null } });
  const orders = await db.orderFact.findMany({ where: { shop }, orderBy: { orderGid: "asc" } });
  const refunds = await db.refundFact.findMany({ where: { shop }, orderBy: { refundGid: "asc" } });
  const state: FinalState = {
    members: members.map((m) => ({
      customerGid: m.customerGid,
      email: m.email,
      levelId: m.levelId,
      status: m.status,
      levelSince: m.levelSince?.toISOString() ?? null,
      points: m.points,
      pointsEarned: m.pointsEarned,
      spend: m.spend,
      orderCount: m.orderCount,
    })),
    ledger: [...sums]
      .filter(([, v]) => v !== 0)
      .map(([k, v]) => `${k} ${v}`)
      .sort(),
    levelChanges: changes
      .map((c) => `${gidOf.get(c.memberId)} ${c.at.toISOString()} ${c.fromLevelId ?? "-"}→${c.toLevelId || "-"} ${c.cause}`)
      .sort(),
    orders: orders.map((o) => `${o.orderGid} ${o.customerGid} ${o.paidAt?.toISOString()} ${o.cancelledAt?.toISOString() ?? "-"} ${o.total}`),
    refunds: refunds.map((r) => `${r.refundGid} ${r.orderGid} ${r.customerGid} ${r.amount}`),
    shopify: {},
    pointsByOrder,
  };
  if (store) {
    const shopState = store.standIn.shop(store.domain);
    for (const gid of store.customerGids) {
      const history = store.standIn.metafieldJson(gid, "history", undefined, store.domain) as { entries: { points: number }[] } | undefined;
      state.shopify[gid] = {
        tags: [...(shopState.customers[gid]?.tags ?? [])].sort(),
        level: store.standIn.metafieldJson(gid, "level", undefined, store.domain) ?? null,
        progress: store.standIn.metafieldJson(gid, "progress", undefined, store.domain) ?? null,
        benefits: store.standIn.metafieldJson(gid, "benefits", undefined, store.domain) ?? null,
        historyPoints: history ? round4(history.entries.reduce((s, e) => s + e.points, 0)) : null,
      };
    }
  }
  return state;
}

export interface Reconciliation {
  /** Orders the oracle counted that the run did not (missing fact, or fewer net points than the oracle). */
  lost: string[];
  /** Orders the run counted more than the oracle did (more net points, or its fact stored twice). */
  doubled: string[];
}

/** Order by order: what the run counted against what the in-order replay counted. */
export function reconcileOrders(oracle: FinalState, run: FinalState): Reconciliation {
  const lost: string[] = [];
  const doubled: string[] = [];
  const factIds = (s: FinalState) => s.orders.map((o) => o.split(" ")[0]);
  const runFacts = factIds(run);
  const runCount = new Map<string, number>();
  for (const id of runFacts) runCount.set(id, (runCount.get(id) ?? 0) + 1);
  for (const id of factIds(oracle)) {
    const expected = oracle.pointsByOrder[id] ?? 0;
    const got = run.pointsByOrder[id] ?? 0;
    if (!runCount.has(id) || got < expected) lost.push(id);
    else if ((runCount.get(id) ?? 0) > 1 || got > expected) doubled.push(id);
  }
  return { lost, doubled };
}
