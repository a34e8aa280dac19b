import { seededRandom } from "../../tools/sample-data/seeded-random";
import { orderPayload, refundPayload } from "../../tools/sample-data/webhook-payloads";
import {
  DEMO_SEED,
  linesOf,
  orderCharges,
  pickProducts,
  subtotalOf,
  type DemoCustomer,
  type DemoOrder,
  type DemoShopData,
  type Persona,
} from "./shop-data";

/**
 * The webhook stream the demo replays: mostly orders/paid, some refunds/create and orders/cancelled, a few
 * deliveries Shopify repeats, and one refund that arrives before its order. Deterministic (seeded), so every run
 * moves the same members the same way. Event times are minutes before the replay starts, so everything happened
 * in the past and the rolling window and validity dates come out the same whatever the pace.
 */

export type ReplayTopic = "orders/paid" | "refunds/create" | "orders/cancelled";

export interface ReplayEvent {
  topic: ReplayTopic;
  webhookId: string;
  /** Minutes before the replay's start at which Shopify says the event happened. */
  minutesAgo: number;
  /** The delivery's body, with timestamps relative to `start` (epoch ms). */
  payload(start: number): Record<string, unknown>;
  /** Printed in the log: why this delivery is worth watching. */
  note?: string;
}

const LIVE_ORDER_BASE = 6_000_000;
const REFUND_BASE = 6_900_000;
const MINUTE = 60_000;

const iso = (start: number, minutesAgo: number) => new Date(start - minutesAgo * MINUTE).toISOString();
const money = (minor: number) => (minor / 100).toFixed(2);
const fullName = (c: DemoCustomer) => `${c.firstName} ${c.lastName}`;

function customerInput(c: DemoCustomer) {
  return { id: c.id, email: c.email, firstName: c.firstName, lastName: c.lastName, phone: null };
}

function paidPayload(o: DemoOrder, start: number, paidMinutesAgo: number, cancelledMinutesAgo?: number) {
  const at = iso(start, paidMinutesAgo);
  const cancelledAt = cancelledMinutesAgo === undefined ? null : iso(start, cancelledMinutesAgo);
  return orderPayload({
    id: o.id,
    name: `#${o.id}`,
    customer: customerInput(o.customer),
    lines: o.lines.map((l) => ({ id: l.id, productId: l.productId, quantity: l.quantity, price: money(l.price) })),
    shipping: money(o.shipping),
    tax: money(o.tax),
    processedAt: at,
    updatedAt: cancelledAt ?? at,
    cancelledAt,
    financialStatus: cancelledAt ? "refunded" : "paid",
  });
}

/** A story beat or filler item, placed at a minute of the stream; `times` holds when earlier events happened. */
type Place = (minutesAgo: number, times: Map<string, number>) => ReplayEvent;

export function buildReplay(data: DemoShopData, opts: { seed?: number } = {}): ReplayEvent[] {
  const random = seededRandom((opts.seed ?? DEMO_SEED) + 1);
  const { cast } = data;
  let orderSeq = 0;
  let refundSeq = 0;
  let hookSeq = 0;
  const hookId = () => `demo-${String(++hookSeq).padStart(4, "0")}`;
  const newOrder = (customer: DemoCustomer, productIds: number[]): DemoOrder => {
    const id = LIVE_ORDER_BASE + ++orderSeq;
    const lines = linesOf(id, productIds);
    return { id, customer, lines, ...orderCharges(subtotalOf({ lines })) };
  };

  // Building blocks. An order's paid time is remembered under its id, so later deliveries about it agree.
  const paid =
    (o: DemoOrder, note?: string, webhookId?: string): Place =>
    (m, times) => {
      const at = times.get(`order:${o.id}`) ?? m;
      times.set(`order:${o.id}`, at);
      return { topic: "orders/paid", webhookId: webhookId ?? hookId(), minutesAgo: m, note, payload: (start) => paidPayload(o, start, at) };
    };
  const cancelled =
    (o: DemoOrder, note?: string): Place =>
    (m, times) => {
      const at = times.get(`order:${o.id}`)!;
      return { topic: "orders/cancelled", webhookId: hookId(), minutesAgo: m, note, payload: (start) => paidPayload(o, start, at, m) };
    };
  const refunded =
    (orderId: number, line: { id: number; price: number; quantity: number }, note?: string): Place =>
    (m, times) => {
      const refundId = REFUND_BASE + ++refundSeq;
      times.set(`refund:${orderId}`, m);
      return {
        topic: "refunds/create",
        webhookId: hookId(),
        minutesAgo: m,
        note,
        payload: (start) =>
          refundPayload({
            id: refundId,
            orderId,
            createdAt: iso(start, m),
            lines: [{ lineId: line.id, quantity: line.quantity, price: money(line.price) }],
          }),
      };
    };

  // The stories, at fractions of the stream (see shop-data.ts for where each starts).
  const graceCard = newOrder(cast.grace, [9001]);
  const adaThird = newOrder(cast.ada, [9005]);
  const hedyBag = newOrder(cast.hedy, [9009]);
  const margaretOrder = newOrder(cast.margaret, [9002, 9009]);
  const alanBig = newOrder(cast.alan, [9011, 9009, 9010]);
  const adaBig = newOrder(cast.ada, [9011, 9010]);
  const katherineOrder = data.history.find((o) => o.customer === cast.katherine && o.lines.some((l) => l.productId === 9010))!;
  const katherineCoat = katherineOrder.lines.find((l) => l.productId === 9010)!;
  const story: [number, Place][] = [
    [0.04, paid(graceCard, `${fullName(cast.grace)} buys the VIP membership card`)],
    [0.1, paid(adaThird, `${fullName(cast.ada)} places her third order`, "demo-ada-third")],
    // Shopify retries a delivery it did not see acknowledged: same webhook id and body, stored once.
    [0.12, paid(adaThird, `Shopify retries ${fullName(cast.ada)}'s order #${adaThird.id} (same webhook id): stored once`, "demo-ada-third")],
    [
      0.2,
      refunded(
        margaretOrder.id,
        margaretOrder.lines[0],
        `a refund for ${fullName(cast.margaret)}'s order #${margaretOrder.id} arrives before the order`,
      ),
    ],
    [0.3, paid(hedyBag, `${fullName(cast.hedy)} buys a weekender bag`)],
    [
      0.36,
      (m, times) => {
        // Paid before its refund was made; delivered after it.
        times.set(`order:${margaretOrder.id}`, times.get(`refund:${margaretOrder.id}`)! + 30);
        return paid(margaretOrder, `${fullName(cast.margaret)}'s order #${margaretOrder.id} arrives, after its refund`)(m, times);
      },
    ],
    [0.45, paid(alanBig, `${fullName(cast.alan)} places a $${(subtotalOf(alanBig) / 100).toLocaleString("en-US")} order`)],
    // Shopify can send one event twice under different webhook ids: the order still counts once.
    [0.47, paid(alanBig, `${fullName(cast.alan)}'s order #${alanBig.id} again, under a new webhook id: counted once`)],
    [0.55, refunded(katherineOrder.id, katherineCoat, `${fullName(cast.katherine)} returns a $${katherineCoat.price / 100} overcoat`)],
    [0.65, paid(adaBig, `${fullName(cast.ada)} buys a watch and an overcoat`)],
    [0.8, cancelled(hedyBag, `${fullName(cast.hedy)}'s order #${hedyBag.id} is cancelled`)],
  ];

  // Filler: about one order for every two customers, big spenders and regulars mostly, with a few refunds,
  // cancellations and repeated deliveries of earlier filler orders among them.
  const pool: Record<Exclude<Persona, "story">, DemoCustomer[]> = { big: [], regular: [], occasional: [] };
  for (const c of data.customers) if (c.persona !== "story") pool[c.persona].push(c);
  const everyone = [...pool.big, ...pool.regular, ...pool.occasional];
  const filler: Place[] = [];
  const open: DemoOrder[] = [];
  const orders = Math.round(everyone.length / 2);
  for (let i = 0; i < orders; i++) {
    const r = random();
    const persona: Exclude<Persona, "story"> = r < 0.45 ? "big" : r < 0.85 ? "regular" : "occasional";
    const list = pool[persona].length ? pool[persona] : everyone;
    const customer = list[Math.floor(random() * list.length)];
    const order = newOrder(customer, pickProducts(random, customer.persona as Exclude<Persona, "story">));
    filler.push(paid(order));
    const after = random();
    if (open.length > 0 && after < 0.15) {
      const index = Math.floor(random() * open.length);
      const target = open[index];
      if (after < 0.08) {
        open.splice(index, 1);
        filler.push(refunded(target.id, target.lines[0]));
      } else if (after < 0.12) {
        open.splice(index, 1);
        filler.push(cancelled(target));
      } else {
        filler.push(paid(target));
      }
    }
    open.push(order);
  }

  // One event a minute, the last a minute before the replay starts; story beats at their fractions.
  const total = filler.length + story.length;
  const slots = new Map<number, Place>();
  for (const [fraction, place] of story) {
    let at = Math.min(total - 1, Math.round(fraction * total));
    while (slots.has(at)) at++;
    slots.set(at, place);
  }
  const times = new Map<string, number>();
  const events: ReplayEvent[] = [];
  let next = 0;
  for (let i = 0; i < total; i++) {
    const place = slots.get(i) ?? filler[next++];
    events.push(place(total - i, times));
  }
  return events;
}
