import { describeLevelChange, type LevelChange } from "~/domain/index";

/** The stored shape of one audit-trail row (LevelChange table). */
export interface StoredLevelChange {
  at: Date;
  fromLevelId: string | null;
  /** "" = no level. */
  toLevelId: string;
  cause: string;
  status: string;
  levelExpiresAt: Date | null;
  reasonJson: string;
}

/** The engine's reason text for a stored change, e.g. "reached Gold: group 1 met, spend $1,020.00 ≥ $1,000.00 on 2026-03-02". */
export function levelChangeText(c: StoredLevelChange, names: ReadonlyMap<string, string>, currency: string): string {
  const to = c.toLevelId === "" ? null : c.toLevelId;
  const change: LevelChange = {
    at: c.at.getTime(),
    from: c.fromLevelId,
    to,
    fromName: c.fromLevelId ? (names.get(c.fromLevelId) ?? c.fromLevelId) : null,
    toName: to ? (names.get(to) ?? to) : null,
    cause: c.cause as LevelChange["cause"],
    status: c.status as LevelChange["status"],
    levelExpiresAt: c.levelExpiresAt?.getTime() ?? null,
    reason: JSON.parse(c.reasonJson),
  };
  try {
    return describeLevelChange(change, currency);
  } catch {
    // A reason written in a shape the describer does not know (an older version): still say what happened.
    return `${change.fromName ?? "no level"} → ${change.toName ?? "no level"} (${c.cause}) on ${c.at.toISOString().slice(0, 10)}`;
  }
}
