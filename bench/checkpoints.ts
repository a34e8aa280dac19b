// npm run bench:checkpoints — what member state checkpoints (app/domain/checkpoint.ts, docs/checkpoints.md) save, as
// ratios measured in one process run (a ratio survives a noisy machine; an absolute time does not):
//  - re-tier after a publication, per member, with 12 published versions vs 1: full replay (every version replayed)
//    and from the checkpoint kept before the publication (one replay under the new version only);
//  - one new in-order fact folded from the checkpoint vs a full replay of the member;
//  - a differential check on the way: every checkpointed outcome equals the full replay's, byte for byte.
// BENCH_MEMBERS (default 3000) members with BENCH_ORDERS_PER (default 12) orders each, refunds and cancellations.
import { foldFrom, type MemberCheckpoint } from "../app/domain/checkpoint.ts";
import { evaluateMember, parseProgram, type MemberEvent, type Program } from "../app/domain/index.ts";
import { seededRandom } from "../tools/sample-data/seeded-random";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 3000);
const ORDERS_PER = Number(process.env.BENCH_ORDERS_PER ?? 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const rand = seededRandom(20261207);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

function program(silver: number): Program {
  return parseProgram({
    window: { kind: "rolling", days: 365 },
    validity: { kind: "oneYear" },
    graceDays: 30,
    points: { earn: [{ per: "amount", every: "1.00", points: 1, prorate: false, levels: null }], rounding: "down", expiryDays: 365 },
    levels: [
      { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: (silver / 100).toFixed(2) }]], upgradePoints: 10 },
      { id: "gold", name: "Gold", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: ((silver * 4) / 100).toFixed(2) }]], upgradePoints: 50 },
      { id: "vip", name: "VIP", rank: 3, upgrade: [[{ kind: "orderCount", count: 10 }]] },
    ],
  });
}

// Thirteen versions: the first program and twelve publications a month apart, after every order.
const versions = Array.from({ length: 13 }, (_, v) => program(20_000 + v * 2_500));
const LAST_ORDER = START + 600 * DAY;
const publishAt = (v: number) => LAST_ORDER + v * 30 * DAY;

/** A member's facts: orders over 600 days, some refunded or cancelled a few days later, and a late in-order order. */
function memberFacts(m: number): { facts: MemberEvent[]; next: MemberEvent } {
  const facts: MemberEvent[] = [];
  for (let j = 0; j < ORDERS_PER; j++) {
    const at = START + int(0, 600) * DAY;
    const id = `m${m}-o${j}`;
    const lines = Array.from({ length: int(1, 3) }, (_, k) => ({
      id: `${id}-l${k}`,
      productId: `p${int(1, 50)}`,
      quantity: int(1, 2),
      price: int(5, 120) * 100,
      collectionIds: [],
      tags: [],
      giftCard: false,
    }));
    const subtotal = lines.reduce((s, l) => s + l.price * l.quantity, 0);
    facts.push({ type: "orderPaid", at, order: { id, total: subtotal, subtotal, shipping: 0, tax: 0, lines } });
    const r = rand();
    if (r < 0.06)
      facts.push({
        type: "refund",
        at: at + int(1, 20) * DAY,
        orderId: id,
        refund: { id: `${id}-r`, amount: 0, lines: [{ lineId: lines[0].id, quantity: 1 }] },
      });
    else if (r < 0.07) facts.push({ type: "orderCancelled", at: at + DAY, orderId: id });
  }
  const nextAt = publishAt(12) + DAY;
  const next: MemberEvent = {
    type: "orderPaid",
    at: nextAt,
    order: {
      id: `m${m}-new`,
      total: 4_000,
      subtotal: 4_000,
      shipping: 0,
      tax: 0,
      lines: [{ id: "n1", productId: "p1", quantity: 1, price: 4_000, collectionIds: [], tags: [], giftCard: false }],
    },
  };
  return { facts, next };
}

/** The publications of a shop whose programme has `versions` versions, the newest published at publishAt(11). */
const publications = (versions_: number): MemberEvent[] =>
  Array.from({ length: versions_ - 1 }, (_, k) => 11 - (versions_ - 2) + k).map((v) => ({
    type: "publishProgram",
    at: publishAt(v),
    program: versions[v],
  }));

const members = Array.from({ length: MEMBERS }, (_, m) => memberFacts(m));
const NOW = publishAt(12) + 2 * DAY;
const SHOPS = [2, 12] as const;

/** The events of a member in a shop with `n` versions (the first programme plus n − 1 publications). */
const eventsWith = (m: number, n: number, next = false) => [...members[m].facts, ...publications(n), ...(next ? [members[m].next] : [])];
const events = Object.fromEntries(SHOPS.map((n) => [n, members.map((_, m) => eventsWith(m, n))])) as Record<number, MemberEvent[][]>;
const eventsNext = Object.fromEntries(SHOPS.map((n) => [n, members.map((_, m) => eventsWith(m, n, true))])) as Record<number, MemberEvent[][]>;
const single = members.map((x) => x.facts);

// Checkpoints as the database returns them (JSON): before the newest publication, and after it (before the new fact).
const keptBefore = Object.fromEntries(
  SHOPS.map((n) => [n, members.map((_, m) => JSON.stringify(foldFrom(versions[0], events[n][m].slice(0, -1), NOW).latest))]),
) as Record<number, string[]>;
const keptAfter = Object.fromEntries(
  SHOPS.map((n) => [n, members.map((_, m) => JSON.stringify(foldFrom(versions[0], events[n][m], NOW).latest))]),
) as Record<number, string[]>;

let mismatches = 0;
const check = (a: unknown, b: unknown) => {
  if (JSON.stringify(a) !== JSON.stringify(b)) mismatches++;
};
for (const n of SHOPS)
  for (let m = 0; m < MEMBERS; m++) {
    const from = (kept: string) => ({ from: [JSON.parse(kept) as MemberCheckpoint] });
    check(foldFrom(versions[0], events[n][m], NOW, from(keptBefore[n][m])).outcome, evaluateMember(versions[0], events[n][m], NOW));
    check(foldFrom(versions[0], eventsNext[n][m], NOW, from(keptAfter[n][m])).outcome, evaluateMember(versions[0], eventsNext[n][m], NOW));
  }

/** CPU time of `fn` over every member, the median of ROUNDS rounds, in ns per member. */
function perMember(fn: (m: number) => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    for (let m = 0; m < MEMBERS; m++) fn(m);
    const t = process.cpuUsage(t0);
    times.push(((t.user + t.system) * 1000) / MEMBERS);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const resume = (kept: string[], evs: MemberEvent[][]) => (m: number) =>
  foldFrom(versions[0], evs[m], NOW, { from: [JSON.parse(kept[m]) as MemberCheckpoint] }).outcome;
const full = (evs: MemberEvent[][]) => (m: number) => evaluateMember(versions[0], evs[m], NOW);

// Interleaved: each measure once per pass, three passes, so drift hits all of them alike.
const measures = {
  retierSingleVersionFull: full(single),
  retier2Full: full(events[2]),
  retier12Full: full(events[12]),
  retier2Checkpointed: resume(keptBefore[2], events[2]),
  retier12Checkpointed: resume(keptBefore[12], events[12]),
  newFact2Full: full(eventsNext[2]),
  newFact12Full: full(eventsNext[12]),
  newFact2Checkpointed: resume(keptAfter[2], eventsNext[2]),
  newFact12Checkpointed: resume(keptAfter[12], eventsNext[12]),
};
type Measure = keyof typeof measures;
const runs = Object.fromEntries(Object.keys(measures).map((k) => [k, [] as number[]])) as Record<Measure, number[]>;
for (let pass = 0; pass < 3; pass++) for (const k of Object.keys(measures) as Measure[]) runs[k].push(perMember(measures[k]));
const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = (ns: number) => Math.round(ns / 10) / 100;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const t = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, med(v)])) as Record<Measure, number>;

console.log(
  JSON.stringify(
    {
      members: MEMBERS,
      ordersPerMember: ORDERS_PER,
      usPerMember: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, us(v)])),
      // Re-tier after a publication at the same instant, in a shop with 12 versions vs 2 (the first programme and one
      // publication): a full replay replays every version; from the checkpoint kept before the publication, one.
      retierAfterPublish: {
        fullReplay12vs2: ratio(t.retier12Full, t.retier2Full),
        checkpointed12vs2: ratio(t.retier12Checkpointed, t.retier2Checkpointed),
        checkpointed12vsSingleVersionFullReplay: ratio(t.retier12Checkpointed, t.retierSingleVersionFull),
      },
      // One new order after the last publication.
      newInOrderFact: {
        checkpointedVsFullReplay12: ratio(t.newFact12Checkpointed, t.newFact12Full),
        checkpointedVsFullReplay2: ratio(t.newFact2Checkpointed, t.newFact2Full),
        checkpointed12vs2: ratio(t.newFact12Checkpointed, t.newFact2Checkpointed),
      },
      differential: { compared: MEMBERS * 4, mismatches },
    },
    null,
    2,
  ),
);
if (mismatches > 0) process.exit(1);
