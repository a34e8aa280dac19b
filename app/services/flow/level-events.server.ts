import type { Tx } from "~/db/client.server";
import { renderMessage, withDefaultTemplates, type TemplateKind } from "~/forms/notification-templates";
import { createTranslator, MEMBER_MESSAGES_EN } from "~/shared/member-messages";
import { benefitText } from "~/shared/member-view";
import type { MemberWrite } from "../member-events.server";
import type { LevelChangeData } from "../recalculation/level-changes";
import { loadShopSettings } from "../admin/settings.server";
import type { ShopContext } from "../shop-context.server";
import { recordFlowEvent, type FlowTrigger } from "./flow-events.server";

/**
 * Level up / level down for Shopify Flow: a member-write listener (MEMBER_WRITE_LISTENERS) that records one Flow
 * event per new level change, inside the write's transaction; the flow-events job sends it after commit.
 *
 * Announced: changes made by the member's own orders, refunds and cancellations (origin live), by time (review:
 * expiry, end of grace), and by the merchant (admin). Never by a replay (a publish, a backfill, a level re-sync), and
 * never for history before Shop.rewardsFrom (imported on install). A change already older than
 * LEVEL_EVENT_MAX_AGE_DAYS when it is recorded is history being rewritten (a late webhook or an edit of an old order
 * moving last year's level): it is in the audit trail, but a member is not told today about a move from long ago.
 * Direction is by rank in the published programme; a change that keeps the level (renewal, grace, freeze) is no event.
 */

export const LEVEL_EVENT_MAX_AGE_DAYS = 7;
const DAY_MS = 86_400_000;

/** The text "No level" stands for leaving the programme (or not having joined it). */
export const NO_LEVEL_NAME = "No level";

/** The event's key: one per member, instant and level reached (the audit trail's own identity). */
export const levelEventKey = (customerGid: string, at: Date, toLevelId: string) => `level:${customerGid}:${at.getTime()}:${toLevelId}`;

interface LevelInfo {
  name: string;
  rank: number;
}

/** Every level any published version had (the newest version's name and rank win), for levels since removed. */
function levelsByIdOf(ctx: ShopContext): Map<string, LevelInfo> {
  const out = new Map<string, LevelInfo>();
  for (const v of ctx.versions) for (const l of v.program.levels) out.set(l.id, { name: l.name, rank: l.rank });
  for (const [id, l] of ctx.levels) out.set(id, { name: l.name, rank: l.rank });
  return out;
}

/** Level names by id, removed levels included. */
export const levelNamesOf = (ctx: ShopContext): Map<string, string> => new Map([...levelsByIdOf(ctx)].map(([id, l]) => [id, l.name]));

const en = createTranslator(MEMBER_MESSAGES_EN, "en");

/** The level's member discounts as shoppers read them ("10% off", "Free shipping"), joined; empty when none. */
export function levelDiscountText(ctx: ShopContext, levelId: string | null): string {
  if (!levelId) return "";
  const items = ctx.benefits.get(levelId) ?? [];
  return items
    .filter((i) => i.kind === "discount" || i.kind === "freeShipping")
    .map((i) => benefitText(i, ctx.currency, { locale: "en", t: en }))
    .filter((t): t is string => t !== null)
    .join(", ");
}

/** Which way a change moved, by rank; null when it kept the level or a rank is unknown. */
export function levelDirection(levels: Map<string, LevelInfo>, change: Pick<LevelChangeData, "fromLevelId" | "toLevelId">): FlowTrigger | null {
  const from = change.fromLevelId || null;
  const to = change.toLevelId || null;
  if (from === to) return null;
  const rank = (id: string | null) => (id === null ? -Infinity : (levels.get(id)?.rank ?? null));
  const a = rank(from);
  const b = rank(to);
  if (a === null || b === null || a === b) return null;
  return b > a ? "level-up" : "level-down";
}

export async function recordLevelFlowEvents(tx: Tx, writes: MemberWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const { ctx } = writes[0]; // one shop's members, written together
  const levels = levelsByIdOf(ctx);
  const due = writes.flatMap((write) => dueLevelEvents(write, levels).map((event) => ({ write, ...event })));
  if (due.length === 0) return;
  const templates = withDefaultTemplates((await loadShopSettings(tx, ctx.shop)).notifications);
  for (const { write, change, trigger } of due) {
    const { member } = write;
    const toId = change.toLevelId || null;
    const fromId = change.fromLevelId || null;
    const levelName = toId ? (levels.get(toId)?.name ?? toId) : NO_LEVEL_NAME;
    const discount = levelDiscountText(ctx, toId);
    const kind: TemplateKind = trigger === "level-up" ? "levelUp" : "levelDown";
    const message = renderMessage(templates[kind], { name: memberName(member), level: levelName, discount });
    await recordFlowEvent(tx, {
      shop: ctx.shop,
      trigger,
      key: levelEventKey(member.customerGid, change.at, change.toLevelId),
      customerGid: member.customerGid,
      at: change.at,
      payload: {
        "Level name": levelName,
        "Level ID": toId ?? "",
        "Previous level name": fromId ? (levels.get(fromId)?.name ?? fromId) : NO_LEVEL_NAME,
        "Previous level ID": fromId ?? "",
        Discount: discount,
        "Changed at": change.at.toISOString(),
        "Message subject": message.subject,
        "Message body": message.body,
      },
    });
  }
}

/** The member's new level changes that are announced, with their direction. */
function dueLevelEvents(write: MemberWrite, levels: Map<string, LevelInfo>): { change: LevelChangeData; trigger: FlowTrigger }[] {
  const { ctx, newChanges, origin, now } = write;
  if (origin === "replay" || newChanges.length === 0) return [];
  return newChanges.flatMap((change) => {
    const at = change.at.getTime();
    if (ctx.rewardsFrom !== null && at < ctx.rewardsFrom) return [];
    if (now.getTime() - at > LEVEL_EVENT_MAX_AGE_DAYS * DAY_MS) return [];
    const trigger = levelDirection(levels, change);
    return trigger ? [{ change, trigger }] : [];
  });
}

/** What {name} becomes: the member's first name, else a neutral word (Flow can use the customer's own fields too). */
export function memberName(member: { firstName: string | null; lastName?: string | null }): string {
  return member.firstName?.trim() || member.lastName?.trim() || "member";
}
