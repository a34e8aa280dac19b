// Member state checkpoints (app/domain/checkpoint.ts, docs/checkpoints.md): folding from a checkpoint gives exactly the
// outcome of a full replay, for every example scenario and for seeded random streams whose facts arrive out of order.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { foldFrom, type MemberCheckpoint } from "~/domain/checkpoint";
import { evaluateMember } from "~/domain/evaluate-member";
import type { MemberEvent } from "~/domain/member-events";
import type { Program } from "~/domain/program";
import { parseScenario } from "~/domain/scenario";
import { DAY_MS, type Instant } from "~/domain/time";
import { money, randomProgram, rng, T0, type Rng } from "../recalculation/checkpoint-streams";

const examples = path.resolve(__dirname, "../../examples/scenarios");
const scenarioFiles = readdirSync(examples)
  .filter((f) => f.endsWith(".json"))
  .sort();

/** A checkpoint as it comes back from the database: through JSON. */
const stored = (c: MemberCheckpoint | null) => (c === null ? [] : [JSON.parse(JSON.stringify(c)) as MemberCheckpoint]);

/**
 * Facts arrive one by one in `arrival` order; after each arrival the member is folded from the checkpoints kept so far
 * (the latest and a stable one) and compared with a full replay of the facts arrived. Returns how many events the
 * checkpoints let the folds skip, and how many folds resumed at all.
 */
function replayArrivals(program: Program, arrival: MemberEvent[], asOfOf: (k: number) => Instant) {
  let kept: MemberCheckpoint[] = [];
  let skipped = 0;
  let resumed = 0;
  for (let k = 1; k <= arrival.length; k++) {
    const facts = arrival.slice(0, k);
    const asOf = asOfOf(k);
    const full = evaluateMember(program, facts, asOf);
    const r = foldFrom(program, facts, asOf, { from: kept, stableAt: asOf - 3 * DAY_MS });
    expect(JSON.stringify(r.outcome)).toBe(JSON.stringify(full));
    skipped += r.resumedAt;
    if (r.resumedAt > 0) resumed++;
    kept = [...stored(r.latest), ...stored(r.stable)];
  }
  return { skipped, resumed };
}

describe("checkpointed fold = full replay, every example scenario", () => {
  it.each(scenarioFiles)("%s", (file) => {
    const sc = parseScenario(JSON.parse(readFileSync(path.join(examples, file), "utf8")));
    for (const [, events] of sc.customers) {
      const full = JSON.stringify(evaluateMember(sc.program, events, sc.asOf));
      // Resume from a checkpoint at every position of the sorted history.
      const sorted = events.slice().sort((a, b) => a.at - b.at);
      for (let p = 0; p <= sorted.length; p++) {
        const head = foldFrom(sc.program, sorted.slice(0, p), p > 0 ? sorted[p - 1].at : sc.asOf);
        const r = foldFrom(sc.program, events, sc.asOf, { from: stored(head.latest) });
        if (sorted.slice(0, p).every((e) => e.at <= sc.asOf)) expect(r.resumedAt).toBe(Math.min(p, r.latest!.count));
        expect(JSON.stringify(r.outcome)).toBe(full);
      }
      // Facts arriving in time order, and in reverse (every arrival out of order).
      const lastAt = sorted.length ? sorted[sorted.length - 1].at : sc.asOf;
      replayArrivals(sc.program, sorted, (k) => (k === sorted.length ? sc.asOf : Math.min(sorted[k - 1].at, lastAt)));
      replayArrivals(sc.program, sorted.slice().reverse(), () => sc.asOf);
    }
  });
});

// -------------------------------------------------------------------------------------------
// Seeded random streams

const iso = (t: Instant) => new Date(t).toISOString();

/**
 * One member's random stream in the scenario format: orders, partial and full refunds (some dated before their order
 * arrives, some for orders never seen), cancellations, manual assignments with and without lock, points adjustments
 * and several publications, over about two years.
 */
function randomStream(seed: number, size: number) {
  const r = rng(seed);
  const events: Record<string, unknown>[] = [];
  const manual: MemberEvent[] = [];
  const orders: { id: string; at: Instant; lines: { id: string; quantity: number }[] }[] = [];
  let t = T0;
  for (let n = 0; n < size; n++) {
    t += r.int(0, 25) * DAY_MS + r.int(0, 3) * 3_600_000;
    const at = iso(t);
    const roll = r.next();
    if (roll < 0.55 || orders.length === 0) {
      const id = `o${n}`;
      const lines = Array.from({ length: r.int(1, 3) }, (_, k) => ({
        id: `${id}-l${k}`,
        productId: `p${r.int(1, 5)}`,
        quantity: r.int(1, 3),
        price: money(r.int(5, 150) * 100),
        collectionIds: [],
        tags: r.chance(0.4) ? ["vip"] : [],
        giftCard: r.chance(0.05),
      }));
      orders.push({ id, at: t, lines });
      events.push({ at, type: "orderPaid", customer: "c", order: { id, lines } });
      if (r.chance(0.05)) events.push({ at, type: "orderPaid", customer: "c", order: { id, lines } }); // a repeat delivery
    } else if (roll < 0.72) {
      const o = r.chance(0.1) ? { id: `ghost${n}`, at: t, lines: [] } : r.pick(orders);
      const lines = o.lines.length && r.chance(0.7) ? [{ lineId: r.pick(o.lines).id, quantity: 1 }] : [];
      // Some refunds are dated before their order (facts out of order).
      const refundAt = r.chance(0.1) ? iso(o.at - DAY_MS) : at;
      events.push({ at: refundAt, type: "refund", customer: "c", orderId: o.id, refund: { id: `r${n}`, amount: money(r.int(1, 50) * 100), lines } });
    } else if (roll < 0.76) {
      events.push({ at, type: "orderCancelled", customer: "c", orderId: r.pick(orders).id });
    } else if (roll < 0.83) {
      // Engine events directly: the scenario parser refuses levels the program in force disables or lacks, the engine does not.
      manual.push({ type: "manualAssign", at: t, level: r.pick([null, "silver", "gold", "vip", "gone"]), lock: r.chance(0.5) });
    } else if (roll < 0.9) {
      events.push({ at, type: "pointsAdjust", customer: "c", points: r.int(-80, 120), note: "goodwill", key: `a${n}` });
    } else {
      events.push({ at, type: "publishProgram", program: randomProgram(r) });
    }
  }
  const asOf = t + r.int(0, 200) * DAY_MS;
  const sc = parseScenario({ program: randomProgram(r), events, asOf: iso(asOf) });
  return { program: sc.program, events: [...(sc.customers.get("c") ?? []), ...manual], asOf, r };
}

/** Arrival order: mostly in time order, with some facts delivered late (after up to `lag` later facts). */
function arrivalOrder(r: Rng, events: MemberEvent[], lag: number): MemberEvent[] {
  const sorted = events.slice().sort((a, b) => a.at - b.at);
  const late: { e: MemberEvent; due: number }[] = [];
  const out: MemberEvent[] = [];
  sorted.forEach((e, i) => {
    if (r.chance(0.15)) late.push({ e, due: i + r.int(1, lag) });
    else out.push(e);
    for (let k = late.length - 1; k >= 0; k--) if (late[k].due <= i) out.push(late.splice(k, 1)[0].e);
  });
  for (const l of late) out.push(l.e);
  return out;
}

describe("checkpointed fold = full replay, seeded random streams with facts out of order", () => {
  // CHECKPOINT_SEEDS=5000 runs a larger differential (npm run bench:checkpoints prints the engine's ratios).
  const seeds = Array.from({ length: Number(process.env.CHECKPOINT_SEEDS ?? 60) }, (_, k) => 1000 + k);
  it.each(seeds)("seed %i", (seed) => {
    const { program, events, asOf, r } = randomStream(seed, 40);
    const arrival = arrivalOrder(r, events, 6);
    // "now" moves forward with the arrivals: each fact is seen at or after its own time.
    let now = T0;
    const nows = arrival.map((e) => (now = Math.max(now, e.at) + r.int(0, 2) * DAY_MS));
    const { resumed } = replayArrivals(program, arrival, (k) => (k === arrival.length ? Math.max(asOf, nows[k - 1]) : nows[k - 1]));
    expect(resumed).toBeGreaterThan(0);
  });

  it("a long in-order stream folds each new fact from the checkpoint, never from the first event", () => {
    const { program, events, asOf } = randomStream(7, 150);
    const sorted = events.slice().sort((a, b) => a.at - b.at);
    const { skipped } = replayArrivals(program, sorted, (k) => (k === sorted.length ? asOf : sorted[k - 1].at));
    // Every fold after the first resumes after all the events before the new one.
    expect(skipped).toBe(((sorted.length - 1) * sorted.length) / 2);
  });
});
