// npm run bench:engine — full recalculation of a synthetic shop and a what-if preview of a threshold change.
// The shop is generated deterministically (seeded PRNG) into compact columns, like rows streamed from the
// database ordered by (member, paid_at); each member's events are built from the rows only when evaluated,
// so memory stays at the size of the facts. Prints one JSON object.
import { evaluateMember, parseProgram, previewDiff, type MemberEvent, type OrderLine, type Program } from "../app/domain/index.ts";
import { seededRandom } from "../tools/sample-data/seeded-random";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const SPAN_DAYS = 730;
const AS_OF = Date.UTC(2027, 0, 1);

const rand = seededRandom(20260301);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

// --- catalog ---------------------------------------------------------------------------------
const PRODUCTS = 500;
const productIds = Array.from({ length: PRODUCTS }, (_, i) => `p${i}`);
const productCollections = productIds.map((_, i) => (i % 10 === 0 ? ["c-premium"] : i % 3 === 0 ? ["c-sale"] : ["c-core"]));
const productTags = productIds.map((_, i) => (i % 7 === 0 ? ["limited"] : []));
const GIFT_CARD = PRODUCTS - 1;

// --- facts as columns ------------------------------------------------------------------------
const ordersPer = new Int32Array(MEMBERS).fill(Math.floor(ORDERS / MEMBERS));
for (let left = ORDERS - ordersPer.reduce((s, n) => s + n, 0); left > 0; left--) ordersPer[int(0, MEMBERS - 1)]++;
for (let i = 0; i < MEMBERS; i++) {
  // skew: move orders from random members to others, keeping the total exact
  const a = int(0, MEMBERS - 1);
  const b = int(0, MEMBERS - 1);
  const k = Math.min(ordersPer[a] - 1, int(0, 8));
  ordersPer[a] -= k;
  ordersPer[b] += k;
}
const memberStart = new Int32Array(MEMBERS + 1);
for (let i = 0; i < MEMBERS; i++) memberStart[i + 1] = memberStart[i] + ordersPer[i];

const paidAt = new Float64Array(ORDERS);
const lineStart = new Int32Array(ORDERS + 1);
const shipping = new Int32Array(ORDERS);
const refundAt = new Float64Array(ORDERS).fill(NaN);
const refundKind = new Uint8Array(ORDERS); // 1 = one unit of the first line, 2 = an amount, 3 = cancelled
let lineCount = 0;
const lineProduct: number[] = [];
const lineQty: number[] = [];
const linePrice: number[] = [];
let refunds = 0;
let cancellations = 0;

for (let m = 0; m < MEMBERS; m++) {
  const n = ordersPer[m];
  const times: number[] = [];
  for (let j = 0; j < n; j++) times.push(START + Math.floor(rand() * SPAN_DAYS * DAY));
  times.sort((a, b) => a - b);
  for (let j = 0; j < n; j++) {
    const o = memberStart[m] + j;
    paidAt[o] = times[j];
    lineStart[o] = lineCount;
    const lines = int(1, 3);
    for (let l = 0; l < lines; l++) {
      const p = rand() < 0.02 ? GIFT_CARD : int(0, PRODUCTS - 2);
      lineProduct.push(p);
      lineQty.push(int(1, 2));
      linePrice.push(int(5, 120) * 100 + (rand() < 0.5 ? 99 : 0));
      lineCount++;
    }
    shipping[o] = rand() < 0.6 ? 0 : 990;
    const r = rand();
    if (r < 0.05) {
      refundAt[o] = times[j] + int(1, 30) * DAY;
      refundKind[o] = rand() < 0.6 ? 1 : 2;
      refunds++;
    } else if (r < 0.06) {
      refundAt[o] = times[j] + int(0, 3) * DAY;
      refundKind[o] = 3;
      cancellations++;
    }
  }
}
lineStart[ORDERS] = lineCount;
const lProduct = Int32Array.from(lineProduct);
const lQty = Int32Array.from(lineQty);
const lPrice = Int32Array.from(linePrice);
lineProduct.length = lineQty.length = linePrice.length = 0;

/** One member's facts as engine events (what the app builds from its ordered row stream). */
function memberEvents(m: number): MemberEvent[] {
  const events: MemberEvent[] = [];
  const late: MemberEvent[] = [];
  for (let o = memberStart[m]; o < memberStart[m + 1]; o++) {
    const lines: OrderLine[] = [];
    let subtotal = 0;
    for (let l = lineStart[o]; l < lineStart[o + 1]; l++) {
      const p = lProduct[l];
      lines.push({
        id: `l${l}`,
        productId: productIds[p],
        quantity: lQty[l],
        price: lPrice[l],
        collectionIds: productCollections[p],
        tags: productTags[p],
        giftCard: p === GIFT_CARD,
      });
      subtotal += lQty[l] * lPrice[l];
    }
    const tax = Math.round(subtotal * 0.08);
    const id = `o${o}`;
    events.push({
      type: "orderPaid",
      at: paidAt[o],
      order: { id, total: subtotal + shipping[o] + tax, subtotal, shipping: shipping[o], tax, lines },
    });
    const k = refundKind[o];
    if (k === 1)
      late.push({
        type: "refund",
        at: refundAt[o],
        orderId: id,
        refund: { id: `r${o}`, amount: lines[0].price, lines: [{ lineId: lines[0].id, quantity: 1 }] },
      });
    else if (k === 2)
      late.push({ type: "refund", at: refundAt[o], orderId: id, refund: { id: `r${o}`, amount: Math.round(subtotal / 3), lines: [] } });
    else if (k === 3) late.push({ type: "orderCancelled", at: refundAt[o], orderId: id });
  }
  if (late.length) {
    events.push(...late);
    events.sort((a, b) => a.at - b.at);
  }
  return events;
}

const programJson = {
  window: { kind: "rolling", days: 365 },
  validity: { kind: "oneYear" },
  graceDays: 30,
  retention: { extendDays: 180 },
  points: {
    earn: [
      { per: "amount", every: "1.00", points: 1, prorate: true },
      { per: "amount", every: "10.00", points: 5, prorate: false, levels: ["gold", "platinum"] },
    ],
    rounding: "down",
    expiryDays: 365,
  },
  levels: [
    {
      id: "bronze",
      name: "Bronze",
      rank: 1,
      upgrade: [[{ kind: "orderCount", count: 2 }], [{ kind: "accumulatedSpend", amount: "100.00" }]],
      upgradePoints: 50,
    },
    {
      id: "silver",
      name: "Silver",
      rank: 2,
      upgrade: [
        [
          { kind: "accumulatedSpend", amount: "800.00" },
          { kind: "orderCount", count: 3 },
        ],
        [{ kind: "productPurchase", quantity: 2, scope: { productIds: ["p42"] } }],
      ],
      retainAmount: "400.00",
      upgradePoints: 100,
    },
    {
      id: "gold",
      name: "Gold",
      rank: 3,
      upgrade: [[{ kind: "accumulatedSpend", amount: "2500.00" }], [{ kind: "singleOrder", amount: "1500.00" }]],
      renewal: [[{ kind: "accumulatedSpend", amount: "2000.00" }]],
      retainAmount: "1200.00",
      upgradePoints: 250,
    },
    {
      id: "platinum",
      name: "Platinum",
      rank: 4,
      upgrade: [
        [
          { kind: "accumulatedSpend", amount: "3000.00" },
          { kind: "itemCount", count: 3, scope: { collectionIds: ["c-premium"], excludeTags: ["limited"] }, windowDays: 180 },
        ],
      ],
      upgradePoints: 500,
    },
  ],
};
const program: Program = parseProgram(programJson);
const draft: Program = parseProgram({
  ...programJson,
  levels: programJson.levels.map((l) =>
    l.id === "gold" ? { ...l, upgrade: [[{ kind: "accumulatedSpend", amount: "2000.00" }], [{ kind: "singleOrder", amount: "1500.00" }]] } : l,
  ),
});

// --- full recalculation ----------------------------------------------------------------------
const counts: Record<string, number> = {};
let pointsTotal = 0;
const t0 = performance.now();
for (let m = 0; m < MEMBERS; m++) {
  const out = evaluateMember(program, memberEvents(m), AS_OF);
  const key = out.level ?? "none";
  counts[key] = (counts[key] ?? 0) + 1;
  pointsTotal += out.points;
}
const recalcMs = performance.now() - t0;

// --- what-if preview -------------------------------------------------------------------------
function* members() {
  for (let m = 0; m < MEMBERS; m++) yield { id: `m${m}`, events: memberEvents(m) };
}
const t1 = performance.now();
const diff = previewDiff(program, draft, members(), AS_OF);
const previewMs = performance.now() - t1;

const mem = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify(
    {
      members: MEMBERS,
      orders: ORDERS,
      refunds,
      cancellations,
      recalcMs: Math.round(recalcMs),
      membersPerSecond: Math.round(MEMBERS / (recalcMs / 1000)),
      previewMs: Math.round(previewMs),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      heapUsedMB: Math.round(mem.heapUsed / 1024 / 1024),
      levelCounts: counts,
      pointsTotal,
      previewMoves: diff.moves.length,
      previewPerLevel: diff.perLevel,
    },
    null,
    2,
  )}\n`,
);
