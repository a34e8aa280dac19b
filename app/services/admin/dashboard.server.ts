import type { Db } from "~/db/client.server";
import type { GrowthPoint } from "~/forms/view-models";
import { levelChangeText } from "./audit-trail";
import { memberName } from "./members.server";
import { draftPending, loadVersions, programOf } from "./program-drafts.server";
import { recalculationProgress } from "./publish.server";
import type { MemberCentreView, RecentLevelChange, SyncHealth } from "~/forms/view-models";

const DAY = 86_400_000;
const GROWTH_DAYS = 90;

/** Member count at the end of each day of the last 90: one count before the window, then the window's sign-ups. */
export async function memberGrowth(db: Db, shop: string, now: number): Promise<GrowthPoint[]> {
  const today = Math.floor(now / DAY) * DAY;
  const start = today - (GROWTH_DAYS - 1) * DAY;
  const [before, recent] = await Promise.all([
    db.member.count({ where: { shop, deletedAt: null, createdAt: { lt: new Date(start) } } }),
    db.member.findMany({ where: { shop, deletedAt: null, createdAt: { gte: new Date(start) } }, select: { createdAt: true } }),
  ]);
  const perDay = new Array<number>(GROWTH_DAYS).fill(0);
  for (const m of recent) perDay[Math.min(GROWTH_DAYS - 1, Math.floor((m.createdAt.getTime() - start) / DAY))]++;
  let count = before;
  return perDay.map((n, i) => {
    count += n;
    return { date: new Date(start + i * DAY).toISOString().slice(0, 10), count };
  });
}

export async function syncHealth(db: Db, shop: string): Promise<SyncHealth> {
  const [byStatus, lastFailed, lastSynced] = await Promise.all([
    db.job.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } }),
    db.job.findFirst({ where: { shop, lastError: { not: null }, status: { in: ["queued", "dead"] } }, orderBy: { updatedAt: "desc" } }),
    db.syncState.findFirst({ where: { shop, lastSyncedAt: { not: null } }, orderBy: { lastSyncedAt: "desc" } }),
  ]);
  const n = (s: string) => byStatus.find((r) => r.status === s)?._count._all ?? 0;
  return {
    queued: n("queued"),
    running: n("running"),
    failed: n("dead"),
    lastError: lastFailed ? { at: lastFailed.updatedAt.toISOString(), type: lastFailed.type, message: lastFailed.lastError! } : null,
    lastSyncedAt: lastSynced?.lastSyncedAt?.toISOString() ?? null,
  };
}

export async function memberCentre(db: Db, shop: string, now: number): Promise<MemberCentreView> {
  const [versions, shopRow, memberCount, newMembers30d, perLevelRows, growth, changes, sync, recalculation] = await Promise.all([
    loadVersions(db, shop),
    db.shop.findUnique({ where: { domain: shop } }),
    db.member.count({ where: { shop, deletedAt: null } }),
    db.member.count({ where: { shop, deletedAt: null, createdAt: { gte: new Date(now - 30 * DAY) } } }),
    db.member.groupBy({ by: ["levelId"], where: { shop, deletedAt: null }, _count: { _all: true } }),
    memberGrowth(db, shop, now),
    db.levelChange.findMany({ where: { shop, retractedAt: null }, orderBy: { at: "desc" }, take: 10, include: { member: true } }),
    syncHealth(db, shop),
    recalculationProgress(db, shop, null),
  ]);
  const program = programOf(versions.published);
  const currency = shopRow?.currency ?? "USD";
  const levels = [...(program?.levels ?? [])].sort((a, b) => b.rank - a.rank);
  const names = new Map(levels.map((l) => [l.id, l.name]));
  const counts = new Map(perLevelRows.map((r) => [r.levelId ?? "", r._count._all]));
  const perLevel = [
    ...levels.map((l) => ({ levelId: l.id as string | null, name: l.name, count: counts.get(l.id) ?? 0 })),
    // Members whose level the published program no longer has (until their recalculation) are shown, not hidden.
    ...[...counts.entries()].filter(([id]) => id !== "" && !names.has(id)).map(([id, count]) => ({ levelId: id as string | null, name: id, count })),
    { levelId: null, name: "No level", count: counts.get("") ?? 0 },
  ];
  const recentChanges: RecentLevelChange[] = changes.map((c) => ({
    at: c.at.toISOString(),
    memberId: c.memberId,
    memberName: memberName(c.member),
    from: c.fromLevelId,
    to: c.toLevelId === "" ? null : c.toLevelId,
    cause: c.cause,
    text: levelChangeText(c, names, currency),
  }));
  return {
    currency,
    programEnabled: program ? program.enabled !== false : false,
    hasPublished: !!program,
    draftPending: draftPending(versions),
    memberCount,
    newMembers30d,
    growth,
    perLevel,
    recentChanges,
    sync,
    recalculation,
  };
}
