import type { Db } from "~/db/client.server";
import { renderMessage, withDefaultTemplates } from "~/forms/notification-templates";
import { POINTS_EXPIRING_JOB, pointsExpiringKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { formatNumber } from "~/shared/money-format";
import { loadShopSettings } from "../admin/settings.server";
import { currentProgram, loadShopContext } from "../shop-context.server";
import { expiringLots } from "./expiring-lots";
import { recordFlowEvent } from "./flow-events.server";
import { memberName } from "./level-events.server";

/**
 * Points expiring soon, for Shopify Flow: once per member and batch of earned points (a lot: `points-expiring:
 * <customer>:<earning entry's key>`), when the lot still holds points and expires within the merchant's notice
 * (Notifications, "days before expiry"; 14 by default). The schedule (app/jobs/schedules.server.ts) queues one
 * deduped job per shop whose published programme lets points expire; the job records the events; the flow-events
 * job sends them. Running it again, or on two workers, records nothing new.
 */

const DAY_MS = 86_400_000;
const MEMBERS_PER_TRANSACTION = 50;

/** The schedule's run: queues the check for every installed shop whose published programme has points expiry. */
export async function enqueuePointsExpiringChecks(db: Db, now: Date): Promise<number> {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true } });
  let queued = 0;
  for (const { domain: shop } of shops) {
    const version = await db.programVersion.findFirst({
      where: { shop, status: "published" },
      orderBy: { publishedAt: "desc" },
      select: { programJson: true },
    });
    if (!version || pointsExpiryDays(version.programJson) === null) continue;
    if (await enqueueJob(db, { type: POINTS_EXPIRING_JOB, shop, key: pointsExpiringKey(shop) }, now)) queued++;
  }
  return queued;
}

function pointsExpiryDays(programJson: string): number | null {
  try {
    const days = (JSON.parse(programJson) as { points?: { expiryDays?: unknown } }).points?.expiryDays;
    return typeof days === "number" && days > 0 ? days : null;
  } catch {
    return null;
  }
}

/** The job: records an event for each lot of the shop's members that expires within the notice. Returns how many were new or seen. */
export async function recordExpiringPoints(db: Db, shop: string, now: Date): Promise<number> {
  const ctx = await loadShopContext(db, shop);
  const expiryDays = currentProgram(ctx)?.points.expiryDays ?? null;
  if (expiryDays === null || ctx.uninstalled) return 0;
  const template = withDefaultTemplates((await loadShopSettings(db, shop)).notifications).pointsExpiring;
  const until = new Date(now.getTime() + template.daysBefore * DAY_MS);
  // Lots that expire in (now, until] were earned in (now − expiryDays, until − expiryDays].
  const earnedFrom = new Date(now.getTime() - expiryDays * DAY_MS);
  const earnedUntil = new Date(until.getTime() - expiryDays * DAY_MS);
  const candidates = await db.pointsEntry.findMany({
    where: { shop, points: { gt: 0 }, kind: { not: "expire" }, at: { gt: earnedFrom, lte: earnedUntil } },
    select: { memberId: true },
    distinct: ["memberId"],
  });
  const memberIds = candidates.map((c) => c.memberId).sort();
  let recorded = 0;
  for (let i = 0; i < memberIds.length; i += MEMBERS_PER_TRANSACTION) {
    const chunk = memberIds.slice(i, i + MEMBERS_PER_TRANSACTION);
    await db.$transaction(async (tx) => {
      const members = await tx.member.findMany({
        where: { shop, id: { in: chunk }, deletedAt: null },
        select: { id: true, customerGid: true, firstName: true, lastName: true, points: true },
      });
      const entries = await tx.pointsEntry.findMany({
        where: { shop, memberId: { in: chunk } },
        select: { memberId: true, key: true, kind: true, points: true, at: true, reversesKey: true },
      });
      for (const m of members) {
        for (const lot of expiringLots(
          entries.filter((e) => e.memberId === m.id),
          expiryDays,
          now,
          until,
        )) {
          const date = lot.expiresAt.toISOString().slice(0, 10);
          const message = renderMessage(template, { name: memberName(m), points: formatNumber(lot.points, "en"), date });
          await recordFlowEvent(tx, {
            shop,
            trigger: "points-expiring",
            key: `points-expiring:${m.customerGid}:${lot.key}`,
            customerGid: m.customerGid,
            at: now,
            payload: {
              Points: lot.points,
              "Expires at": lot.expiresAt.toISOString(),
              "Points balance": m.points,
              "Message subject": message.subject,
              "Message body": message.body,
            },
          });
          recorded++;
        }
      }
    });
  }
  return recorded;
}
