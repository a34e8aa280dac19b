import type { MemberEvent } from "./member-events";
import type { OrderMeasure } from "./compiled-program";
import type { Instant } from "./time";

/** Stable sort by `at` (ties keep their order), dropping events after `asOf`. Returns the input when it needs neither. */
export function sortEvents(events: MemberEvent[], asOf: Instant): MemberEvent[] {
  let sorted = true;
  let late = false;
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && events[i].at < events[i - 1].at) sorted = false;
    if (events[i].at > asOf) late = true;
  }
  let out = sorted ? events : events.slice().sort((a, b) => a.at - b.at);
  if (late) out = out.filter((e) => e.at <= asOf);
  return out;
}

/** One member's sorted history and what runs over it share (one per evaluation, shared by every run and replay). */
export interface MemberHistory {
  events: MemberEvent[];
  grantRewards: boolean;
  /** Number of orderPaid events: the most orders a run can hold. */
  cap: number;
  /** Order id → index of its (first) orderPaid event; built on the first refund replay. */
  orderAt: Map<string, number> | null;
  /** Order id → its slot (0, 1, … in order of first payment): runs keep per-order state in arrays indexed by slot. */
  slots: Map<string, number>;
  /** Per CompiledProgram.measureKey: each orderPaid event's measure (by event index), computed on first use. */
  measures: Map<string, (OrderMeasure | undefined)[]>;
}

export function memberHistory(events: MemberEvent[], grantRewards: boolean): MemberHistory {
  let cap = 0;
  const slots = new Map<string, number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type !== "orderPaid") continue;
    cap++;
    if (!slots.has(e.order.id)) slots.set(e.order.id, slots.size);
  }
  return { events, grantRewards, cap, orderAt: null, slots, measures: new Map() };
}

/** Order id → index of its first orderPaid event (built once, on the first refund replay). */
export function orderIndex(ctx: MemberHistory): Map<string, number> {
  if (ctx.orderAt) return ctx.orderAt;
  const orderAt = new Map<string, number>();
  ctx.events.forEach((e, i) => {
    if (e.type === "orderPaid" && !orderAt.has(e.order.id)) orderAt.set(e.order.id, i);
  });
  return (ctx.orderAt = orderAt);
}
