import type { Money } from "./money";
import type { Instant } from "./time";
import type { ConditionKind } from "./program";

export type MemberStatus = "active" | "frozen" | "grace" | "none";

/** What evaluateMember returns for one member at `asOf`. */
export interface MemberOutcome {
  level: string | null;
  status: MemberStatus;
  levelSince: Instant | null;
  /** null when permanent, locked or internal-only; during grace/freeze the instant the level expired. */
  levelExpiresAt: Instant | null;
  /** Set while status is "grace": the instant the grace period ends. */
  graceEndsAt: Instant | null;
  locked: boolean;
  /** Spendable balance (expired points excluded). */
  points: number;
  /** Points earned by orders inside the current program window, net of reversals. */
  pointsEarned: number;
  /** Spend counted inside the current program window. */
  spend: Money;
  next: NextLevel | null;
  ledger: PointsEntry[];
  levelChanges: LevelChange[];
}

export interface NextLevel {
  level: string;
  remaining: { spend?: Money; points?: number };
  /** The next level's upgrade group closest to being met, its visible conditions measured now (rule 8). */
  requirements?: RequirementProgress[];
}

/** One condition toward the next level, in the engine's units: minor units for the spend kinds, points, or a count. */
export interface RequirementProgress {
  kind: ConditionKind;
  threshold: number;
  /** For singleOrder, the largest counted (or scoped) order in the window. */
  current: number;
  /** The condition's own rolling window; null = the program window. */
  windowDays: number | null;
  scoped: boolean;
}

export type PointsEntryKind = "earn" | "refund" | "cancel" | "upgrade" | "expire" | "adjust";

/** Append-only; corrections are new entries that point at what they reverse. */
export interface PointsEntry {
  /** Deterministic idempotency key: "earn:o1", "reverse:r1", "cancel:o1", "upgrade:gold", "expire:earn:o1", "adjust:<key>". */
  key: string;
  at: Instant;
  kind: PointsEntryKind;
  points: number;
  reverses?: string;
  orderId?: string;
  note?: string;
}

export type LevelChangeCause =
  "upgrade" | "refund" | "cancel" | "expiry" | "grace" | "renewal" | "retention" | "manual" | "publish" | "disabled" | "freeze";

export interface LevelChange {
  at: Instant;
  from: string | null;
  to: string | null;
  fromName: string | null;
  toName: string | null;
  cause: LevelChangeCause;
  /** Status after the change (a renewal or the start of grace keeps the level but changes status or dates). */
  status: MemberStatus;
  levelExpiresAt: Instant | null;
  reason: LevelChangeReason;
}

export interface MeasuredCondition {
  kind: ConditionKind;
  /** Measured value: minor units for spend kinds, points for points, a count otherwise. */
  actual: number;
  required: number;
  scoped: boolean;
  /** "lifetime", "since last upgrade", "calendar year", "rolling 30 days", "2026-01-01..2026-07-01". */
  window: string;
}

/** The condition group that held, with its measured values. `group` is 1-based, `groupIndex` 0-based. */
export interface GroupMet {
  group: number;
  groupIndex: number;
  set: "upgrade" | "renewal";
  conditions: MeasuredCondition[];
}

export type LevelChangeReason =
  | { kind: "conditionsMet"; met: GroupMet }
  | { kind: "expired"; expiredAt: Instant; graceDays: number; met: GroupMet | null }
  | { kind: "graceEnded"; graceEndsAt: Instant; met: GroupMet | null }
  | { kind: "frozen"; expiredAt: Instant }
  | { kind: "retained"; actual: Money; required: Money; extendDays: number }
  | { kind: "refund"; orderId: string; refundId: string; met: GroupMet | null }
  | { kind: "cancellation"; orderId: string; met: GroupMet | null }
  | { kind: "manual"; lock: boolean }
  | { kind: "published"; met: GroupMet | null }
  | { kind: "levelDisabled"; level: string; met: GroupMet | null };
