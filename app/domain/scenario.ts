import { describeLevelChange } from "./describe-level-change";
import { evaluateMember } from "./evaluate-member";
import type { MemberEvent, OrderFact, OrderLine, RefundFact } from "./member-events";
import type { MemberOutcome } from "./member-outcome";
import { Reader } from "./json-reader";
import { describeValue, formatMoney, parseMoney } from "./money";
import { scenarioError } from "./program.errors";
import { parseProgram, type Program } from "./program";
import { formatInstant, parseInstant, type Instant } from "./time";

/** The scenario runner's pure core (docs/scenario-format.md): parse, evaluate every customer, count levels. */
export interface ScenarioOutput {
  asOf: string;
  members: Record<string, ScenarioMemberOutput>;
  levelCounts: Record<string, number>;
}

export interface ScenarioMemberOutput {
  level: string | null;
  status: string;
  levelSince: string | null;
  levelExpiresAt: string | null;
  graceEndsAt: string | null;
  locked: boolean;
  points: number;
  pointsEarned: number;
  spend: string;
  next: { level: string; remaining: { spend?: string; points?: number } } | null;
  levelChanges: { at: string; from: string | null; to: string | null; cause: string; status: string; text: string; reason: unknown }[];
  ledger: { key: string; at: string; kind: string; points: number; reverses?: string; orderId?: string; note?: string }[];
}

export interface Scenario {
  program: Program;
  asOf: Instant;
  /** Customer id → that customer's events (publishProgram events are given to every customer), sorted by time. */
  customers: Map<string, MemberEvent[]>;
  /** The program in force at asOf. */
  finalProgram: Program;
}

const fail = scenarioError;
const r = new Reader(fail);

const EVENT_TYPES = ["orderPaid", "refund", "orderCancelled", "manualAssign", "pointsAdjust", "publishProgram"] as const;

function optMoney(v: unknown, path: string): number | null {
  return v === undefined || v === null ? null : parseMoney(v, path, fail);
}

/**
 * Missing money fields are derived: subtotal = Σ line price × quantity, shipping = tax = 0,
 * total = subtotal + shipping + tax.
 */
export function parseOrder(v: unknown, path: string): OrderFact {
  const o = r.obj(v, path);
  const orderId = r.str(o.id, `${path}.id`);
  const lines: OrderLine[] = r.optList(o.lines, `${path}.lines`).map((lv, i) => {
    const lp = `${path}.lines[${i}]`;
    const l = r.obj(lv, lp);
    // A line's price only matters for scoped spend when the order states its total or subtotal.
    if (l.price === undefined && o.total === undefined && o.subtotal === undefined) {
      throw fail("MISSING_FIELD", `${lp}.price`, 'is required when the order has no total or subtotal (a decimal string like "50.00")');
    }
    return {
      id: l.id === undefined ? String(i) : r.str(l.id, `${lp}.id`),
      productId: l.productId === undefined ? "" : r.str(l.productId, `${lp}.productId`),
      quantity: l.quantity === undefined ? 1 : r.int(l.quantity, `${lp}.quantity`, 0),
      price: l.price === undefined ? 0 : parseMoney(l.price, `${lp}.price`, fail),
      collectionIds: r.strList(l.collectionIds ?? [], `${lp}.collectionIds`),
      tags: r.strList(l.tags ?? [], `${lp}.tags`),
      giftCard: r.bool(l.giftCard, `${lp}.giftCard`, false),
      compareAtPrice: optMoney(l.compareAtPrice, `${lp}.compareAtPrice`),
    };
  });
  const shipping = optMoney(o.shipping, `${path}.shipping`) ?? 0;
  const tax = optMoney(o.tax, `${path}.tax`) ?? 0;
  let subtotal = optMoney(o.subtotal, `${path}.subtotal`);
  let total = optMoney(o.total, `${path}.total`);
  if (subtotal === null) {
    if (lines.length > 0) subtotal = lines.reduce((s, l) => s + l.price * l.quantity, 0);
    else if (total !== null) subtotal = Math.max(0, total - shipping - tax);
    else throw fail("MISSING_FIELD", `${path}.total`, "an order needs total, subtotal or lines");
  }
  if (total === null) total = subtotal + shipping + tax;
  const order: OrderFact = { id: orderId, total, subtotal, shipping, tax, lines };
  if (o.channel !== undefined && o.channel !== null) order.channel = r.str(o.channel, `${path}.channel`);
  if (o.hasDiscountCode !== undefined) order.hasDiscountCode = r.bool(o.hasDiscountCode, `${path}.hasDiscountCode`, false);
  return order;
}

function parseRefund(v: unknown, path: string, fallbackId: string): RefundFact {
  const o = r.obj(v, path);
  const lines = r.optList(o.lines, `${path}.lines`).map((lv, i) => {
    const l = r.obj(lv, `${path}.lines[${i}]`);
    return {
      lineId: r.str(l.lineId, `${path}.lines[${i}].lineId`),
      quantity: l.quantity === undefined ? 1 : r.int(l.quantity, `${path}.lines[${i}].quantity`, 0),
    };
  });
  if (o.amount === undefined && lines.length === 0) throw fail("MISSING_FIELD", `${path}.amount`, "a refund needs an amount or lines");
  return { id: o.id === undefined ? fallbackId : r.str(o.id, `${path}.id`), amount: optMoney(o.amount, `${path}.amount`) ?? 0, lines };
}

/** Parses and validates a whole scenario. Throws ScenarioError / ProgramError naming the bad field. */
export function parseScenario(json: unknown): Scenario {
  const root = r.obj(json, "scenario");
  if (root.program === undefined) throw fail("MISSING_FIELD", "program", "is required");
  const program = parseProgram(root.program, "program");
  const eventsRaw = r.optList(root.events, "events");

  const parsed: { customer: string | null; event: MemberEvent; path: string }[] = eventsRaw.map((ev, i) => {
    const path = `events[${i}]`;
    const e = r.obj(ev, path);
    if (e.at === undefined) throw fail("MISSING_FIELD", `${path}.at`, "is required (an ISO-8601 time)");
    const at = parseInstant(e.at, `${path}.at`, fail);
    const type = e.type;
    if (typeof type !== "string" || !(EVENT_TYPES as readonly string[]).includes(type)) {
      throw fail("UNKNOWN_EVENT", `${path}.type`, `must be one of ${EVENT_TYPES.join(", ")}, got ${describeValue(type)}`);
    }
    if (type === "publishProgram") {
      return { customer: null, event: { type, at, program: parseProgram(e.program, `${path}.program`) }, path };
    }
    const customer = r.str(e.customer, `${path}.customer`);
    let event: MemberEvent;
    switch (type) {
      case "orderPaid":
        if (e.order === undefined) throw fail("MISSING_FIELD", `${path}.order`, "is required");
        event = { type, at, order: parseOrder(e.order, `${path}.order`) };
        break;
      case "refund": {
        const orderId = r.str(e.orderId, `${path}.orderId`);
        const refund =
          e.refund === undefined ? parseRefund(e, path, `${orderId}#refund${i}`) : parseRefund(e.refund, `${path}.refund`, `${orderId}#refund${i}`);
        event = { type, at, orderId, refund };
        break;
      }
      case "orderCancelled":
        event = { type, at, orderId: r.str(e.orderId, `${path}.orderId`) };
        break;
      case "manualAssign": {
        const level = e.level === undefined || e.level === null ? null : r.str(e.level, `${path}.level`);
        event = { type, at, level, lock: r.bool(e.lock, `${path}.lock`, false) };
        break;
      }
      case "pointsAdjust": {
        const points = typeof e.points === "number" && Number.isFinite(e.points) ? e.points : NaN;
        if (Number.isNaN(points))
          throw fail("INVALID_NUMBER", `${path}.points`, `must be a number (negative to deduct), got ${describeValue(e.points)}`);
        const note = e.note === undefined || e.note === null ? "" : String(e.note);
        event = { type, at, points, note, key: e.key === undefined ? `e${i}` : r.str(e.key, `${path}.key`) };
        break;
      }
      default:
        throw fail("UNKNOWN_EVENT", `${path}.type`, `is not supported: ${type}`);
    }
    return { customer, event, path };
  });

  // Time order, ties in file order. Manual assignments must name a level of the program in force then.
  const order = parsed.map((p, i) => i).sort((a, b) => parsed[a].event.at - parsed[b].event.at || a - b);
  let asOf: Instant;
  if (root.asOf === undefined || root.asOf === null) {
    if (parsed.length === 0) throw fail("MISSING_FIELD", "asOf", "is required (an ISO-8601 time)");
    asOf = parsed[order[order.length - 1]].event.at;
  } else {
    asOf = parseInstant(root.asOf, "asOf", fail);
  }
  let inForce = program;
  for (const i of order) {
    const { event, path } = parsed[i];
    if (event.type === "publishProgram") {
      if (event.at <= asOf) inForce = event.program;
      continue;
    }
    if (event.type === "manualAssign" && event.level !== null) {
      const level = inForce.levels.find((l) => l.id === event.level);
      if (!level) throw fail("UNKNOWN_LEVEL", `${path}.level`, `names no level of the program in force at that time: "${event.level}"`);
      if (!level.enabled) throw fail("LEVEL_DISABLED", `${path}.level`, `"${event.level}" is disabled and cannot be assigned`);
    }
  }

  const customers = new Map<string, MemberEvent[]>();
  for (const p of parsed) if (p.customer !== null && !customers.has(p.customer)) customers.set(p.customer, []);
  for (const i of order) {
    const p = parsed[i];
    if (p.customer === null) for (const list of customers.values()) list.push(p.event);
    else customers.get(p.customer)!.push(p.event);
  }
  return { program, asOf, customers, finalProgram: inForce };
}

/** Runs a scenario: every customer evaluated at asOf, plus the number of members per enabled level. */
export function runScenario(json: unknown): ScenarioOutput {
  const sc = parseScenario(json);
  const members: Record<string, ScenarioMemberOutput> = {};
  const levelCounts: Record<string, number> = {};
  for (const l of sc.finalProgram.levels) if (l.enabled) levelCounts[l.id] = 0;
  for (const [customer, events] of sc.customers) {
    const outcome = evaluateMember(sc.program, events, sc.asOf);
    members[customer] = memberOutput(outcome, sc.finalProgram.currency);
    if (outcome.level !== null && outcome.level in levelCounts) levelCounts[outcome.level]++;
  }
  return { asOf: formatInstant(sc.asOf), members, levelCounts };
}

const iso = (t: Instant | null) => (t === null ? null : formatInstant(t));

/** A MemberOutcome at the JSON edge: ISO times, decimal-string money, readable level-change texts. */
export function memberOutput(o: MemberOutcome, currency = "USD"): ScenarioMemberOutput {
  let next: ScenarioMemberOutput["next"] = null;
  if (o.next) {
    const remaining: { spend?: string; points?: number } = {};
    if (o.next.remaining.spend !== undefined) remaining.spend = formatMoney(o.next.remaining.spend);
    if (o.next.remaining.points !== undefined) remaining.points = o.next.remaining.points;
    next = { level: o.next.level, remaining };
  }
  return {
    level: o.level,
    status: o.status,
    levelSince: iso(o.levelSince),
    levelExpiresAt: iso(o.levelExpiresAt),
    graceEndsAt: iso(o.graceEndsAt),
    locked: o.locked,
    points: o.points,
    pointsEarned: o.pointsEarned,
    spend: formatMoney(o.spend),
    next,
    levelChanges: o.levelChanges.map((c) => ({
      at: formatInstant(c.at),
      from: c.from,
      to: c.to,
      cause: c.cause,
      status: c.status,
      text: describeLevelChange(c, currency),
      reason: c.reason,
    })),
    ledger: o.ledger.map((e) => ({ ...e, at: formatInstant(e.at) })),
  };
}
