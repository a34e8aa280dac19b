import type { LevelChange as LevelChangeRow } from "@prisma/client";
import type { LevelChange } from "~/domain";

/**
 * The member's level changes (the audit trail): the rows the engine's changes make, and how they differ from the
 * stored rows. A late fact can rewrite the past, so stored rows are retracted, restored or brought up to date, never
 * deleted. Pure: no database, no clock.
 */

/** A level change row's content (the member, shop and id are added by the writer). */
export type LevelChangeData = Pick<LevelChangeRow, "at" | "fromLevelId" | "toLevelId" | "cause" | "status" | "levelExpiresAt" | "reasonJson">;
/** A stored level change, as much of it as the comparison needs. */
export type StoredLevelChange = Pick<
  LevelChangeRow,
  "id" | "at" | "toLevelId" | "retractedAt" | "fromLevelId" | "cause" | "status" | "levelExpiresAt" | "reasonJson"
>;

/** The row's identity: one per instant and target level (the table's unique key). */
const changeKey = (at: Date, to: string) => `${at.getTime()}|${to}`;

export function levelChangeRows(changes: LevelChange[]): LevelChangeData[] {
  // The audit row is unique per instant and target level: when one instant holds several steps to the same level
  // (expiry and renewal at once), the last one — the state the member was left in — is the one kept.
  const byKey = new Map<string, LevelChangeData>();
  for (const c of changes) {
    const row: LevelChangeData = {
      at: new Date(c.at),
      fromLevelId: c.from,
      toLevelId: c.to ?? "",
      cause: c.cause,
      status: c.status,
      levelExpiresAt: c.levelExpiresAt === null ? null : new Date(c.levelExpiresAt),
      reasonJson: JSON.stringify(c.reason),
    };
    byKey.set(changeKey(row.at, row.toLevelId), row);
  }
  return [...byKey.values()];
}

export interface LevelChangeWrites {
  /** New audit rows. */
  changes: LevelChangeData[];
  /** Stored audit rows the replay no longer makes (retracted), or makes again (restored). */
  retract: string[];
  restore: string[];
  /** Stored audit rows brought up to date (same instant and level, other origin). */
  rewrite: { id: string; data: Pick<LevelChangeData, "fromLevelId" | "cause" | "status" | "levelExpiresAt" | "reasonJson"> }[];
}

const sameInstant = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

/** What to write so the stored audit trail shows the replay's changes (`target`, from levelChangeRows). */
export function levelChangeWrites(stored: StoredLevelChange[], target: LevelChangeData[]): LevelChangeWrites {
  const storedByKey = new Map(stored.map((c) => [changeKey(c.at, c.toLevelId), c]));
  const targetKeys = new Set(target.map((c) => changeKey(c.at, c.toLevelId)));
  const out: LevelChangeWrites = {
    changes: target.filter((c) => !storedByKey.has(changeKey(c.at, c.toLevelId))),
    // A late fact can rewrite the past: changes the replay no longer makes are marked retracted, never deleted.
    retract: stored.filter((c) => c.retractedAt === null && !targetKeys.has(changeKey(c.at, c.toLevelId))).map((c) => c.id),
    restore: stored.filter((c) => c.retractedAt !== null && targetKeys.has(changeKey(c.at, c.toLevelId))).map((c) => c.id),
    rewrite: [],
  };
  // A late fact can also change how a standing change came about (an earlier order arrived: silver→gold, not -→gold).
  // The row is unique per instant and level, so it is brought up to date; it was never what the member saw.
  for (const c of target) {
    const s = storedByKey.get(changeKey(c.at, c.toLevelId));
    if (
      !s ||
      (s.fromLevelId === c.fromLevelId &&
        s.cause === c.cause &&
        s.status === c.status &&
        sameInstant(s.levelExpiresAt, c.levelExpiresAt) &&
        s.reasonJson === c.reasonJson)
    )
      continue;
    out.rewrite.push({
      id: s.id,
      data: { fromLevelId: c.fromLevelId, cause: c.cause, status: c.status, levelExpiresAt: c.levelExpiresAt, reasonJson: c.reasonJson },
    });
  }
  return out;
}
