import type { Money } from "./money";
import type { Instant } from "./time";
import type { Program } from "./program";

/** One member's facts, parsed: money in minor units, times in epoch ms. */
export type MemberEvent =
  | { type: "orderPaid"; at: Instant; order: OrderFact }
  | { type: "refund"; at: Instant; orderId: string; refund: RefundFact }
  | { type: "orderCancelled"; at: Instant; orderId: string }
  /** `rewards: false` (an import of levels members already held elsewhere) marks upgrade points as granted without granting them. */
  | { type: "manualAssign"; at: Instant; level: string | null; lock: boolean; rewards?: boolean }
  | { type: "pointsAdjust"; at: Instant; points: number; note: string; key: string }
  | { type: "publishProgram"; at: Instant; program: Program };

export type MemberEventType = MemberEvent["type"];

export interface OrderFact {
  id: string;
  total: Money;
  subtotal: Money;
  shipping: Money;
  tax: Money;
  lines: OrderLine[];
  channel?: string;
  hasDiscountCode?: boolean;
}

export interface OrderLine {
  id: string;
  productId: string;
  quantity: number;
  /** Unit price, minor units. */
  price: Money;
  collectionIds: string[];
  tags: string[];
  giftCard: boolean;
  compareAtPrice?: Money | null;
}

export interface RefundFact {
  id: string;
  /** Money returned to the buyer (may include shipping and tax). */
  amount: Money;
  /** Returned units; when present they, not `amount`, decide what is taken back (see README). */
  lines: { lineId: string; quantity: number }[];
}
