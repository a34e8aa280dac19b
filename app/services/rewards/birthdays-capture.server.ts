import { z } from "zod";
import { formatBirthday, parseBirthday } from "~/domain/birthday";
import type { Db, DbOrTx } from "~/db/client.server";
import { FormValidationError, formObject, parseForm } from "~/forms/form-errors";
import { BIRTHDAY_METAFIELDS_JOB, birthdayMetafieldsKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import type { AdminCaller, AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import { writeBirthdayMetafields } from "~/shopify/birthday-metafield.server";

/**
 * Birthdays captured: once by the shopper (account page → Customer Account API metafield → this app), from a CSV
 * import, or by the merchant on the member page. Member.birthday ("MM-DD") is the truth; the `$app:tierline.birthday`
 * customer metafield mirrors it for the account page, written back by the `birthday-metafields` job.
 *
 * - Shopper: set once. A later, different value is refused (409) and the stored one is written back to the metafield
 *   (the definition lets the shopper write it, so Shopify cannot keep it unchanged; the app does).
 * - Import: sets it only where none is set (source import); a member who has one keeps it.
 * - Admin: sets or corrects it (source admin): the merchant is the one who may change a birthday.
 */

export type BirthdaySource = "shopper" | "import" | "admin";

export interface ShopperBirthdayResult {
  status: 200 | 201 | 409;
  /** The birthday on file now ("MM-DD"). */
  birthday: string;
  message: string;
}

/** Queues the write-back of these members' birthdays to their metafields (one job per key; `tag` names the cause). */
export async function requestBirthdayMetafields(db: DbOrTx, shop: string, customerGids: string[], tag: string, now: Date): Promise<void> {
  if (customerGids.length === 0) return;
  await enqueueJob(db, { type: BIRTHDAY_METAFIELDS_JOB, shop, key: birthdayMetafieldsKey(shop, tag), payload: { customerGids } }, now);
}

/**
 * The shopper's birthday from the account page (the route has verified the session token: `shop` and `customerGid`
 * are Shopify's). 201: recorded. 200: the same birthday was already on file (a retry). 409: another birthday is on
 * file; it stays, and the metafield is put back to it. Invalid input throws a 422 FormValidationError.
 */
export async function recordShopperBirthday(
  db: Db,
  input: { shop: string; customerGid: string; birthday: unknown },
  now: Date,
): Promise<ShopperBirthdayResult> {
  const parsed = parseBirthday(input.birthday);
  if (!parsed.ok) throw new FormValidationError({ birthday: parsed.message }, 422);
  const { shop, customerGid } = input;
  const birthday = parsed.birthday;
  const set = () =>
    db.member.updateMany({
      where: { shop, customerGid, birthday: null, deletedAt: null, redactedAt: null },
      data: { birthday, birthdaySource: "shopper", birthdaySetAt: now },
    });
  let { count } = await set();
  if (count === 0) {
    const member = await db.member.findUnique({ where: { shop_customerGid: { shop, customerGid } } });
    if (!member) {
      // A customer who is not a member yet (no qualifying order): their row starts with the birthday, so a level
      // reached later finds it.
      try {
        await db.member.create({ data: { shop, customerGid, birthday, birthdaySource: "shopper", birthdaySetAt: now } });
        count = 1;
      } catch (e) {
        if ((e as { code?: string }).code !== "P2002") throw e;
        ({ count } = await set()); // created concurrently (a recomputation, a double click): set it there
      }
    } else if (member.deletedAt || member.redactedAt) {
      throw new FormValidationError({ birthday: "This customer's membership data was removed." }, 404);
    }
  }
  if (count === 1) {
    // The metafield already holds what the shopper wrote; writing the normalised value back costs one call and makes
    // sure the two agree.
    await requestBirthdayMetafields(db, shop, [customerGid], customerGid, now);
    return { status: 201, birthday, message: `Birthday saved: ${formatBirthday(birthday)}.` };
  }
  const stored = (await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop, customerGid } } })).birthday!;
  if (stored === birthday) return { status: 200, birthday, message: `Birthday already saved: ${formatBirthday(birthday)}.` };
  await requestBirthdayMetafields(db, shop, [customerGid], customerGid, now);
  return {
    status: 409,
    birthday: stored,
    message: `A birthday is already on file (${formatBirthday(stored)}) and cannot be changed here. Ask the shop to change it.`,
  };
}

const adminIntent = z.object({
  intent: z.literal("birthday", { error: "Unknown action" }),
  birthday: z.string({ error: "Enter a birthday as MM-DD (for example 03-14)." }),
});

/** The member page's birthday form: sets or corrects the birthday (source admin) and writes it to the metafield. */
export async function setMemberBirthdayAction(db: Db, shop: string, memberId: string, form: FormData, now: number): Promise<{ birthday: string }> {
  const input = parseForm(adminIntent, formObject(form));
  const parsed = parseBirthday(input.birthday);
  if (!parsed.ok) throw new FormValidationError({ birthday: parsed.message }, 422);
  const member = await db.member.findFirst({ where: { id: memberId, shop, deletedAt: null, redactedAt: null } });
  if (!member) throw new FormValidationError({ birthday: "There is no such member." }, 404);
  const at = new Date(now);
  if (member.birthday !== parsed.birthday || member.birthdaySource !== "admin") {
    await db.member.update({ where: { id: member.id }, data: { birthday: parsed.birthday, birthdaySource: "admin", birthdaySetAt: at } });
  }
  await requestBirthdayMetafields(db, shop, [member.customerGid], member.customerGid, at);
  return { birthday: parsed.birthday };
}

/** What the member page shows: the birthday, who set it and when. */
export interface MemberBirthdayView {
  birthday: string | null;
  /** "March 14". */
  text: string | null;
  source: BirthdaySource | null;
  setAt: string | null;
}

export async function memberBirthdayView(db: DbOrTx, shop: string, memberId: string): Promise<MemberBirthdayView> {
  const m = await db.member.findFirst({ where: { id: memberId, shop }, select: { birthday: true, birthdaySource: true, birthdaySetAt: true } });
  return {
    birthday: m?.birthday ?? null,
    text: m?.birthday ? formatBirthday(m.birthday) : null,
    source: (m?.birthdaySource as BirthdaySource | null) ?? null,
    setAt: m?.birthdaySetAt?.toISOString() ?? null,
  };
}

export interface ImportedBirthday {
  line: number;
  customerGid: string;
  birthday: string;
}

export interface ImportedBirthdayOutcome {
  line: number;
  outcome: "set" | "kept";
  /** For "kept": the birthday already on file. */
  message: string;
}

/**
 * The birthdays of a CSV import, after its members exist: set where none is set (source import), kept where one is;
 * one outcome per row. The set ones are written to their metafields by one job per file.
 */
export async function importBirthdays(
  db: Db,
  shop: string,
  rows: ImportedBirthday[],
  fileTag: string,
  now: Date,
): Promise<ImportedBirthdayOutcome[]> {
  const outcomes: ImportedBirthdayOutcome[] = [];
  const written: string[] = [];
  for (const r of rows) {
    const { count } = await db.member.updateMany({
      where: { shop, customerGid: r.customerGid, birthday: null, deletedAt: null, redactedAt: null },
      data: { birthday: r.birthday, birthdaySource: "import", birthdaySetAt: now },
    });
    if (count === 1) {
      written.push(r.customerGid);
      outcomes.push({ line: r.line, outcome: "set", message: `Line ${r.line}: birthday set to ${formatBirthday(r.birthday)}.` });
      continue;
    }
    const m = await db.member.findUnique({ where: { shop_customerGid: { shop, customerGid: r.customerGid } }, select: { birthday: true } });
    if (!m) {
      // Imported with no level and not a member yet: the row starts with the birthday.
      await db.member.create({ data: { shop, customerGid: r.customerGid, birthday: r.birthday, birthdaySource: "import", birthdaySetAt: now } });
      written.push(r.customerGid);
      outcomes.push({ line: r.line, outcome: "set", message: `Line ${r.line}: birthday set to ${formatBirthday(r.birthday)}.` });
      continue;
    }
    const message = m?.birthday
      ? m.birthday === r.birthday
        ? `Line ${r.line}: birthday ${formatBirthday(r.birthday)} already on file.`
        : `Line ${r.line}: kept the birthday on file (${formatBirthday(m.birthday)}); ${formatBirthday(r.birthday)} was not imported.`
      : `Line ${r.line}: the member's data was removed; birthday not imported.`;
    outcomes.push({ line: r.line, outcome: "kept", message });
  }
  await requestBirthdayMetafields(db, shop, written, `import:${fileTag}`, now);
  return outcomes;
}

/** Job handler's work (`birthday-metafields`): writes the named members' stored birthdays to their metafields. */
export async function syncBirthdayMetafields(db: Db, admin: AdminGraphqlClient | AdminCaller, shop: string, customerGids: string[]): Promise<number> {
  const members = await db.member.findMany({
    where: { shop, customerGid: { in: customerGids }, deletedAt: null, redactedAt: null, birthday: { not: null } },
    select: { customerGid: true, birthday: true },
  });
  const { written } = await writeBirthdayMetafields(
    admin,
    members.map((m) => ({ customerGid: m.customerGid, birthday: m.birthday! })),
  );
  return written;
}
