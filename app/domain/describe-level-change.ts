import type { GroupMet, LevelChange, MeasuredCondition } from "./member-outcome";
import { formatMoneyDisplay } from "./money";
import { addDays, formatDate } from "./time";

const LABELS: Record<MeasuredCondition["kind"], string> = {
  accumulatedSpend: "spend",
  singleOrder: "single order",
  orderCount: "orders",
  itemCount: "items",
  productPurchase: "products bought",
  points: "points earned",
};

function value(c: MeasuredCondition, v: number, currency: string): string {
  return c.kind === "accumulatedSpend" || c.kind === "singleOrder" ? formatMoneyDisplay(v, currency) : String(v);
}

export function describeCondition(c: MeasuredCondition, currency = "USD"): string {
  const label = `${c.scoped ? "scoped " : ""}${LABELS[c.kind]}`;
  const window = c.window === "lifetime" ? "" : ` (${c.window})`;
  return `${label} ${value(c, c.actual, currency)} ≥ ${value(c, c.required, currency)}${window}`;
}

export function describeGroup(met: GroupMet, currency = "USD"): string {
  const which = met.set === "renewal" ? `renewal group ${met.group}` : `group ${met.group}`;
  return `${which} met, ${met.conditions.map((c) => describeCondition(c, currency)).join(", ")}`;
}

/** One line for the audit trail, e.g. "reached Gold: group 1 met, spend $1,020.00 ≥ $1,000.00 on 2026-03-02". */
export function describeLevelChange(change: LevelChange, currency = "USD"): string {
  const on = `on ${formatDate(change.at)}`;
  const from = change.fromName ?? change.from ?? "no level";
  const to = change.toName ?? change.to ?? "no level";
  const landed = (met: GroupMet | null) =>
    change.to === null ? "no level qualifies" : met ? `moved to ${to}: ${describeGroup(met, currency)}` : `moved to ${to}`;
  const r = change.reason;
  switch (r.kind) {
    case "conditionsMet":
      return change.cause === "renewal"
        ? `renewed ${to}: ${describeGroup(r.met, currency)} ${on}`
        : `reached ${to}: ${describeGroup(r.met, currency)} ${on}`;
    case "retained":
      return `kept ${to}: spend ${formatMoneyDisplay(r.actual, currency)} since the level started ≥ ${formatMoneyDisplay(r.required, currency)}, extended by ${r.extendDays} days ${on}`;
    case "expired":
      if (change.status === "grace")
        return `${from} expired ${on}; grace period of ${r.graceDays} days until ${formatDate(addDays(change.at, r.graceDays))}`;
      return `${from} expired ${on}; ${landed(r.met)}`;
    case "graceEnded":
      return `grace period for ${from} ended ${on}; ${landed(r.met)}`;
    case "frozen":
      return `${from} expired ${formatDate(r.expiredAt)}; frozen (level kept without benefits) ${on}`;
    case "refund":
      return `moved down from ${from} to ${to}: refund ${r.refundId} of order ${r.orderId} ${on}`;
    case "cancellation":
      return `moved down from ${from} to ${to}: order ${r.orderId} cancelled ${on}`;
    case "manual":
      return change.to === null
        ? `level removed by hand${r.lock ? " (locked)" : ""} ${on}`
        : `assigned ${to} by hand${r.lock ? " (locked)" : ""} ${on}`;
    case "published":
      return `new program rules: moved from ${from} to ${to}${r.met ? ` (${describeGroup(r.met, currency)})` : ""} ${on}`;
    case "levelDisabled":
      return `${r.level} is disabled: ${landed(r.met)} ${on}`;
  }
}
