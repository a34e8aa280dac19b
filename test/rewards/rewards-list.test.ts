// @vitest-environment happy-dom
// The shopper's rewards: the view-model every surface reads the `rewards` metafield through, and the account member
// page rendered for real (Preact, Polaris web components, the Customer Account API answered by the stand-in).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import entry from "../../extensions/account-member-page/src/MemberPage";
import en from "../../extensions/account-member-page/locales/en.default.json";
import type { MemberPageApi } from "../../extensions/account-member-page/src/target-api";
import { createTranslator, messageAt, messageKeys, REWARD_MESSAGES_EN } from "../../app/shared/member-messages";
import { rewardRows } from "../../app/shared/reward-view";
import { parseTierRewards, type TierRewardV1 } from "../../app/shared/tier-metafield";
import { buildRewards } from "../../app/shared/tier-metafield-builder";
import { buildTierLevel, buildTierProgress } from "../../tools/sample-data/tier-builders";
import { hostApi, hostI18n, hostSignal, readable, runExtension, unmount } from "../extensions/support/extension-host";
import { startMemberShop, type MemberShop } from "../extensions/support/member-shop";

const ctx = { locale: "en-US", t: createTranslator(REWARD_MESSAGES_EN, "en-US") };
const NOW = Date.parse("2026-12-07T00:00:00Z");

const code = (over: Partial<TierRewardV1> = {}): TierRewardV1 => ({
  kind: "welcome",
  levelId: "gold",
  form: "discountCode",
  code: "GOLD-7KQ2M9XAPB",
  valueType: "percentage",
  value: "15",
  currency: "USD",
  points: null,
  issuedAt: "2026-12-01T10:00:00Z",
  endsAt: "2026-12-31T10:00:00Z",
  ...over,
});

describe("rewardRows", () => {
  it.each([
    [
      "a percentage welcome code",
      code(),
      { title: "Welcome reward · Gold", value: "15% off", code: "GOLD-7KQ2M9XAPB", validity: "Use by December 31, 2026" },
    ],
    [
      "a fixed birthday code",
      code({ kind: "birthday", valueType: "fixed", value: "5.00", code: "BDAY-ABCDEFGHJK" }),
      { title: "Birthday reward · Gold", value: "$5.00 off" },
    ],
    [
      "welcome points",
      code({ form: "points", code: null, valueType: null, value: null, currency: null, points: 200, endsAt: null }),
      { value: "200 points", code: null, validity: null },
    ],
    ["one point", code({ form: "points", code: null, valueType: null, value: null, currency: null, points: 1, endsAt: null }), { value: "1 point" }],
    [
      "store credit",
      code({ kind: "redemption", levelId: null, form: "storeCredit", code: null, valueType: "fixed", value: "10.00" }),
      { title: "Points reward", value: "$10.00 store credit" },
    ],
    ["an expired code", code({ endsAt: "2026-11-30T10:00:00Z" }), { validity: "Expired on November 30, 2026", expired: true }],
  ])("%s", (_name, reward, expected) => {
    const [row] = rewardRows({ v: 1, items: [reward] }, ctx, NOW, new Map([["gold", "Gold"]]));
    expect(row).toMatchObject(expected);
  });

  it.each([
    ["not JSON", "{oops"],
    ["another version", { v: 2, items: [code()] }],
    ["missing", undefined],
  ])("shows nothing for a document that is %s", (_name, doc) => {
    expect(rewardRows(doc, ctx, NOW)).toEqual([]);
  });

  it("leaves out a code without its value, keeps the others", () => {
    expect(parseTierRewards({ v: 1, items: [code({ value: null }), code({ code: "GOLD-OTHER" })] })?.items.map((i) => i.code)).toEqual([
      "GOLD-OTHER",
    ]);
  });
});

describe("the account member page's locale", () => {
  it.each(messageKeys(REWARD_MESSAGES_EN))("carries %s verbatim", (key) => {
    expect(messageAt(en, key)).toBe(messageAt(REWARD_MESSAGES_EN, key));
  });
});

describe("buildRewards", () => {
  it("lists reward rows and welcome points newest first, at most 20, the same in any read order", () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({
      kind: "birthday",
      levelId: "gold",
      form: "discountCode",
      code: `BDAY-${String(i).padStart(10, "A")}`,
      valueType: "percentage",
      value: "10",
      currency: "USD",
      points: null,
      issuedAt: Date.parse("2026-01-01T00:00:00Z") + i * 86_400_000,
      endsAt: null,
    }));
    const ledger = [{ key: "upgrade:gold", kind: "upgrade", points: 200, at: Date.parse("2026-02-10T12:00:00Z") }];
    const doc = buildRewards(rows, ledger);
    expect(doc.items).toHaveLength(20);
    expect(doc.items[0]).toMatchObject({ kind: "welcome", form: "points", levelId: "gold", points: 200, issuedAt: "2026-02-10T12:00:00Z" });
    expect(doc.items.slice(1).map((i) => i.code)).toEqual(Array.from({ length: 19 }, (_, i) => `BDAY-${String(24 - i).padStart(10, "A")}`));
    expect(buildRewards([...rows].reverse(), ledger)).toEqual(doc);
    expect(parseTierRewards(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
  });
});

describe("account member page", () => {
  let shop: MemberShop;
  beforeAll(async () => {
    shop = await startMemberShop();
  });
  afterAll(() => shop.close());
  afterEach(unmount);

  const api = (): MemberPageApi =>
    hostApi<MemberPageApi>({
      localization: { language: hostSignal({ isoCode: "en-US" }) },
      i18n: hostI18n<MemberPageApi["i18n"]>(en, "en-US"),
      settings: hostSignal({}),
    });

  it("lists the member's rewards with their codes and last day", async () => {
    await shop.setProgram(null);
    const id = await shop.addMember({
      level: JSON.stringify(buildTierLevel()),
      progress: JSON.stringify(buildTierProgress()),
      rewards: JSON.stringify({ v: 1, items: [code({ endsAt: "2099-01-31T10:00:00Z" })] }),
    });
    await runExtension(entry, api(), shop.customerAccountFetch(id));
    const lines = readable();
    const at = lines.indexOf("Your rewards");
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at, at + 6)).toEqual([
      "Your rewards",
      "Welcome reward · gold",
      "15% off",
      "Code",
      "GOLD-7KQ2M9XAPB",
      "Use by January 31, 2099",
    ]);
  });

  it("shows no rewards section to a member without rewards", async () => {
    await shop.setProgram(null);
    const id = await shop.addMember({ level: JSON.stringify(buildTierLevel()), progress: JSON.stringify(buildTierProgress()) });
    await runExtension(entry, api(), shop.customerAccountFetch(id));
    expect(readable()).not.toContain("Your rewards");
  });
});
