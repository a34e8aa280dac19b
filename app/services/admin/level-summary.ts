import { formatMoneyDisplay, parseMoney } from "~/domain/index";
import type { ConditionJson, LevelJson } from "~/forms/level-form";

/** One line for the levels list: "spend ≥ $1,000.00 and 3 orders (90 days), or 1 of picked products". */
export function summariseConditions(level: LevelJson, currency: string): string {
  if (level.internalOnly) return "Assigned by hand";
  const groups = level.upgrade ?? [];
  if (groups.length === 0) return "Never reached automatically";
  return groups.map((g) => g.map((c) => summariseCondition(c, currency)).join(" and ")).join(", or ");
}

export function summariseCondition(c: ConditionJson, currency: string): string {
  const money = (v: unknown) => {
    try {
      return formatMoneyDisplay(parseMoney(v, "amount"), currency);
    } catch {
      return String(v);
    }
  };
  const scoped = c.scope ? " of picked products" : "";
  const window = c.windowDays ? ` (${c.windowDays} days)` : "";
  const role = c.role === "renewal" ? " [renewal only]" : c.role === "upgrade" ? " [upgrade only]" : "";
  let text: string;
  switch (c.kind) {
    case "accumulatedSpend":
      text = `spend ≥ ${money(c.amount)}${scoped}`;
      break;
    case "singleOrder":
      text = `one order ≥ ${money(c.amount)}${scoped}`;
      break;
    case "orderCount":
      text = `${c.count} orders${scoped}`;
      break;
    case "itemCount":
      text = `${c.count} items${scoped}`;
      break;
    case "productPurchase":
      text = `${c.quantity ?? 1} of picked products`;
      break;
    case "points":
      text = `${c.amount} points earned`;
      break;
    default:
      text = String((c as { kind: unknown }).kind);
  }
  return `${text}${window}${role}`;
}
