import { utcCalendarDay } from "~/domain/birthday";
import type { Db } from "~/db/client.server";
import { SCHEDULES } from "~/jobs/schedules.server";
import { birthdayRewardKey, loadBirthdayBenefits } from "~/services/rewards/birthdays.server";

/**
 * For the demo's summary: a birthday reward issued by the scheduled worker, end to end through the local stand-in.
 * Takes a member holding a level (the one given, else the top spender with a level), gives their level a birthday
 * benefit when it has none (20% off, on the day: the demo's benefits.json has none), sets their birthday to today
 * (UTC, as the merchant would on the member page), runs the `birthday-rewards` schedule and lets the worker drain
 * (the birthday job, then the issue job that makes the code in Shopify, the Flow event and the metafield sync).
 *
 * Returns one line for the summary, e.g.
 *   "Birthday reward: gid://shopify/Customer/1001 (Gold, birthday 12-07) got code BDAY-7KQ2M9XW4P (20% off, valid until 2027-01-06) from the scheduled birthday-rewards job."
 * or, for a points benefit, "… got 100 points …"; it says why when no reward came (no member with a level, the code
 * still pending).
 */
export async function runBirthdayDemo(
  stack: { db: Db; shop: string; drain(): Promise<unknown> },
  opts: { customerGid?: string; now?: Date } = {},
): Promise<{ line: string; customerGid: string | null; rewardKey: string | null }> {
  const { db, shop } = stack;
  const now = opts.now ?? new Date();
  const member = await db.member.findFirst({
    where: {
      shop,
      deletedAt: null,
      redactedAt: null,
      levelId: { not: null },
      status: { in: ["active", "grace"] },
      ...(opts.customerGid ? { customerGid: opts.customerGid } : {}),
    },
    orderBy: [{ spend: "desc" }, { customerGid: "asc" }],
  });
  if (!member?.levelId)
    return { line: "Birthday reward: no member holds a level, so there is nobody to celebrate.", customerGid: null, rewardKey: null };

  if (!(await loadBirthdayBenefits(db, shop)).has(member.levelId)) {
    await db.benefit.create({
      data: {
        shop,
        levelId: member.levelId,
        kind: "birthday",
        position: 0,
        configJson: JSON.stringify({ kind: "discount", type: "percentage", value: "20", when: "day" }),
      },
    });
  }
  const today = utcCalendarDay(now.getTime());
  const birthday = `${String(today.month).padStart(2, "0")}-${String(today.day).padStart(2, "0")}`;
  await db.member.update({ where: { id: member.id }, data: { birthday, birthdaySource: "admin", birthdaySetAt: now } });

  await SCHEDULES.find((s) => s.name === "birthday-rewards")!.run(db, now);
  await stack.drain();

  const key = birthdayRewardKey(member.customerGid, today.year);
  const reward = await db.reward.findUnique({ where: { shop_key: { shop, key } } });
  const who = `${member.customerGid} (${member.levelId}, birthday ${birthday})`;
  if (!reward) return { line: `Birthday reward: none for ${who}; see the birthday-rewards job.`, customerGid: member.customerGid, rewardKey: null };
  const what =
    reward.form === "points"
      ? `${reward.points} points`
      : reward.code
        ? `code ${reward.code} (${reward.valueType === "percentage" ? `${reward.value}% off` : `${reward.value} ${reward.currency} off`}${
            reward.endsAt ? `, valid until ${reward.endsAt.toISOString().slice(0, 10)}` : ""
          })`
        : `a discount code still ${reward.status}${reward.error ? ` (${reward.error})` : ""}`;
  return { line: `Birthday reward: ${who} got ${what} from the scheduled birthday-rewards job.`, customerGid: member.customerGid, rewardKey: key };
}
