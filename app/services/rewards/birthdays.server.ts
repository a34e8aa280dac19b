import { randomUUID } from "node:crypto";
import { loadBenefitConfigs } from "./benefit-configs.server";
import { z } from "zod";
import { birthdayRewardDay, birthdaysDueOn, isBirthdayRewardDue, utcCalendarDay, type BirthdayRewardWhen, type CalendarDay } from "~/domain/birthday";
import { DAY_MS } from "~/domain/time";
import type { Db, Tx } from "~/db/client.server";
import { BIRTHDAY_REWARDS_JOB, birthdayRewardsKey, ISSUE_REWARDS_JOB, issueRewardsKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { recomputeMemberNow } from "~/services/admin/member-recompute.server";
import { recordRewardFlowEvent } from "~/services/flow/reward-events.server";
import { currentProgram, loadShopContext, type ShopContext } from "~/services/shop-context.server";

/**
 * Birthday rewards, handed out once a year by the scheduled worker.
 *
 * The `birthday-rewards` schedule (app/jobs/schedules.server.ts) queues one deduped job per shop that has a birthday
 * benefit; the job finds the members whose birthday reward falls due and records one Reward row each under the key
 * `birthday:<customerGid>:<year>`, unique per shop, in a statement that inserts nothing when the key is taken. So
 * however often the schedule runs, whichever worker runs the job and however often it is restarted, a member gets
 * one birthday reward a year.
 *
 * - Who: members holding a level (status active or grace: a frozen level's benefits are paused) of the published,
 *   enabled programme whose birthday benefit is set, not deleted or redacted, with a birthday on file.
 * - When: the level's `when`: on the birthday ("day", the default) or on the 1st of the birthday month ("month");
 *   29 February on 28 February in years without one. Days are UTC days (the Shop row keeps no time zone). A job that
 *   could not run on the day (the worker was down) catches up for CATCH_UP_DAYS days; a member who reached their
 *   level after this year's due day gets the reward next year.
 * - Points: a MemberAdjustment (kind points, key = the reward's key, note "Birthday reward") in the same transaction,
 *   the reward marked issued, and the member recomputed, so the ledger shows the points once.
 * - Discount code: a pending reward; the `issue-rewards` job (./issue-rewards.server.ts) creates the code
 *   (createRewardCode, valid DISCOUNT_VALID_DAYS) after commit and records the `birthday-reward` Flow event with it.
 * - Points are issued here, so their `birthday-reward` Flow event is recorded here, in the same transaction, through
 *   the one home for reward events (recordRewardFlowEvent): one event per reward whoever records it.
 */

/** A run that missed the day (the worker was down) still gives the reward within this many days of it. */
export const CATCH_UP_DAYS = 7;
/** A birthday discount code is valid this many days from issue. */
export const DISCOUNT_VALID_DAYS = 30;

export const birthdayRewardKey = (customerGid: string, year: number) => `birthday:${customerGid}:${year}`;

const birthdayConfig = z.union([
  z.object({
    kind: z.literal("discount"),
    type: z.enum(["percentage", "fixed"]),
    value: z.union([z.string(), z.number()]).transform(String),
    when: z.enum(["month", "day"]).default("day"),
  }),
  z.object({ kind: z.literal("points"), points: z.number().int().positive(), when: z.enum(["month", "day"]).default("day") }),
]);
export type BirthdayBenefit = z.output<typeof birthdayConfig>;

/** The birthday benefit saved per level id (Benefit rows of kind "birthday"); unreadable rows are left out. */
export async function loadBirthdayBenefits(db: Db | Tx, shop: string): Promise<Map<string, BirthdayBenefit>> {
  return loadBenefitConfigs(db, shop, "birthday", birthdayConfig);
}

/**
 * The schedule's run: queues the `birthday-rewards` job of every installed shop that has a birthday benefit. Deduped
 * per shop by key, so several workers running the schedule queue one job.
 */
export async function enqueueBirthdayRewards(db: Db, now: Date): Promise<number> {
  const withBenefit = await db.benefit.findMany({ where: { kind: "birthday" }, select: { shop: true }, distinct: ["shop"] });
  if (withBenefit.length === 0) return 0;
  const shops = await db.shop.findMany({ where: { domain: { in: withBenefit.map((b) => b.shop) }, uninstalledAt: null }, select: { domain: true } });
  let queued = 0;
  for (const { domain: shop } of shops) {
    if (await enqueueJob(db, { type: BIRTHDAY_REWARDS_JOB, shop, key: birthdayRewardsKey(shop) }, now)) queued++;
  }
  return queued;
}

export interface BirthdayMemberResult {
  customerGid: string;
  key: string;
  form: "points" | "discountCode";
  /** true: this run recorded it; false: it was already recorded (an earlier run, another worker). */
  recorded: boolean;
}

export interface BirthdayRunResult {
  /** The UTC day the run counted as today (YYYY-MM-DD). */
  day: string;
  rewards: BirthdayMemberResult[];
}

/**
 * Records the birthday rewards due in `shop` at `now` (see the module comment). Idempotent: a second run, a
 * concurrent run or a run after a crash records nothing twice.
 */
export async function issueBirthdayRewards(db: Db, shop: string, now: Date): Promise<BirthdayRunResult> {
  const today = utcCalendarDay(now.getTime());
  const result: BirthdayRunResult = { day: isoDay(today), rewards: [] };
  const ctx = await loadShopContext(db, shop);
  const program = currentProgram(ctx);
  if (ctx.uninstalled || !program || !program.enabled) return result;
  const benefits = await loadBirthdayBenefits(db, shop);
  const levels = new Map<string, BirthdayBenefit>();
  for (const level of program.levels) {
    const benefit = benefits.get(level.id);
    if (level.enabled && benefit) levels.set(level.id, benefit);
  }
  if (levels.size === 0) return result;

  // The days a reward may fall on in this run: today and the catch-up days before it.
  const days = Array.from({ length: CATCH_UP_DAYS }, (_, i) => utcCalendarDay(now.getTime() - i * DAY_MS));
  const modes = new Set([...levels.values()].map((b) => b.when));
  const birthdays = new Set<string>();
  for (const day of days) for (const when of modes) for (const b of birthdaysDueOn(day, when)) birthdays.add(b);
  if (birthdays.size === 0) return result;

  const members = await db.member.findMany({
    where: {
      shop,
      deletedAt: null,
      redactedAt: null,
      levelId: { in: [...levels.keys()] },
      status: { in: ["active", "grace"] },
      birthday: { in: [...birthdays] },
    },
    select: { id: true, customerGid: true, birthday: true, levelId: true, levelSince: true },
    orderBy: { customerGid: "asc" },
  });

  if (members.length === 0) return result;
  let pendingCodes = 0;
  for (const member of members) {
    const benefit = levels.get(member.levelId!)!;
    const due = dueDay(member.birthday!, days, benefit.when);
    if (!due) continue;
    const dueStart = Date.UTC(due.year, due.month - 1, due.day);
    // Reached the level after this year's day: next year.
    if (member.levelSince && member.levelSince.getTime() >= dueStart + DAY_MS) continue;
    const key = birthdayRewardKey(member.customerGid, due.year);
    const form = benefit.kind === "points" ? "points" : "discountCode";
    const recorded = await db.$transaction((tx) =>
      recordBirthdayReward(tx, ctx, { ...member, levelId: member.levelId! }, benefit, { key, dueStart, now }),
    );
    if (recorded && form === "discountCode") pendingCodes++;
    result.rewards.push({ customerGid: member.customerGid, key, form, recorded });
    // Points: the member's state (balance, ledger, metafields) follows the new adjustment. Also after a crash between
    // the commit and this line: the ledger lacks the entry until the member is recomputed.
    if (form === "points" && (recorded || !(await ledgerHas(db, shop, member.id, key)))) {
      await recomputeMemberNow(db, shop, member.customerGid, now.getTime(), ctx);
    }
  }
  if (pendingCodes > 0) await enqueueJob(db, { type: ISSUE_REWARDS_JOB, shop, key: issueRewardsKey(shop) }, now);
  return result;
}

/** The latest of `days` (newest first) on which the birthday's reward falls, or null. */
function dueDay(birthday: string, days: CalendarDay[], when: BirthdayRewardWhen): CalendarDay | null {
  for (const day of days) if (isBirthdayRewardDue(birthday, day, when)) return birthdayRewardDay(birthday, day.year, when);
  return null;
}

async function ledgerHas(db: Db, shop: string, memberId: string, rewardKey: string): Promise<boolean> {
  return (await db.pointsEntry.count({ where: { shop, memberId, key: `adjust:${rewardKey}` } })) > 0;
}

/**
 * One member's birthday reward, inside a transaction: the Reward row unless its key is taken (ON CONFLICT DO NOTHING:
 * a failed statement would abort a PostgreSQL transaction), then for points the adjustment and the issued mark, and
 * the Flow event. Returns whether this call recorded it.
 */
async function recordBirthdayReward(
  tx: Tx,
  ctx: ShopContext,
  member: { id: string; customerGid: string; levelId: string },
  benefit: BirthdayBenefit,
  { key, dueStart, now }: { key: string; dueStart: number; now: Date },
): Promise<boolean> {
  const id = randomUUID();
  const at = new Date(dueStart);
  const inserted =
    benefit.kind === "points"
      ? await tx.$executeRaw`
    INSERT INTO "Reward" ("id", "shop", "memberId", "customerGid", "kind", "key", "levelId", "form", "points",
                          "status", "attempts", "at", "startsAt", "issuedAt", "createdAt", "updatedAt")
    VALUES (${id}, ${ctx.shop}, ${member.id}, ${member.customerGid}, 'birthday', ${key}, ${member.levelId}, 'points', ${benefit.points},
            'issued', 0, ${at}, ${now}, ${now}, ${now}, ${now})
    ON CONFLICT ("shop", "key") DO NOTHING`
      : await tx.$executeRaw`
    INSERT INTO "Reward" ("id", "shop", "memberId", "customerGid", "kind", "key", "levelId", "form", "valueType", "value", "currency",
                          "status", "attempts", "at", "startsAt", "endsAt", "createdAt", "updatedAt")
    VALUES (${id}, ${ctx.shop}, ${member.id}, ${member.customerGid}, 'birthday', ${key}, ${member.levelId}, 'discountCode',
            ${benefit.type}, ${benefit.value}, ${ctx.currency}, 'pending', 0, ${at}, ${now},
            ${new Date(now.getTime() + DISCOUNT_VALID_DAYS * DAY_MS)}, ${now}, ${now})
    ON CONFLICT ("shop", "key") DO NOTHING`;
  if (inserted === 0 || benefit.kind !== "points") return inserted > 0;
  await tx.memberAdjustment.create({
    data: {
      shop: ctx.shop,
      customerGid: member.customerGid,
      kind: "points",
      at: now,
      points: benefit.points,
      note: "Birthday reward",
      key,
      actor: "birthday",
    },
  });
  await recordRewardFlowEvent(tx, {
    shop: ctx.shop,
    memberId: member.id,
    customerGid: member.customerGid,
    kind: "birthday",
    key,
    levelId: member.levelId,
    form: "points",
    valueType: null,
    value: null,
    currency: null,
    points: benefit.points,
    code: null,
    endsAt: null,
    issuedAt: now,
  });
  return true;
}

const isoDay = (d: CalendarDay) => `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
