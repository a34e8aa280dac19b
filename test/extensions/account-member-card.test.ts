// @vitest-environment happy-dom
// The customer account profile block rendered for real: Preact into a DOM, Polaris web components, the `shopify`
// global of customer-account.profile.block.render typed by @shopify/ui-extensions, and the Customer Account API
// answered by the stand-in from what the sync wrote. Assertions on what the customer reads.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import entry, { MEMBER_PAGE_URL } from "../../extensions/account-member-card/src/ProfileBlock";
import en from "../../extensions/account-member-card/locales/en.default.json";
import type { ProfileBlockApi } from "../../extensions/account-member-card/src/target-api";
import { buildTierLevel, buildTierProgress } from "../../tools/sample-data/tier-builders";
import { hostApi, hostI18n, hostSignal, readable, runExtension, tags, unmount } from "./support/extension-host";
import { startMemberShop, type MemberFields, type MemberShop } from "./support/member-shop";

const json = (v: unknown) => JSON.stringify(v);

function profileApi(locale = "en-US"): ProfileBlockApi {
  return hostApi<ProfileBlockApi>({
    localization: { language: hostSignal({ isoCode: locale }) },
    i18n: hostI18n<ProfileBlockApi["i18n"]>(en, locale),
  });
}

let shop: MemberShop;
beforeAll(async () => {
  shop = await startMemberShop();
});
afterAll(() => shop.close());
afterEach(unmount);

async function show(fields: MemberFields, locale?: string) {
  const customerId = await shop.addMember(fields);
  await runExtension(entry, profileApi(locale), shop.customerAccountFetch(customerId));
}

describe("customer account profile block", () => {
  it.each<[string, MemberFields, string[]]>([
    [
      "a gold member: level, validity, points, the way to platinum, and the card page",
      { level: json(buildTierLevel()), progress: json(buildTierProgress()) },
      ["Membership", "Gold member", "Valid until March 2, 2027", "120 points", "Spend $300.00 more to reach Platinum", "View member card"],
    ],
    [
      "a frozen member sees the state",
      { level: json(buildTierLevel({ status: "frozen", expiresAt: null })), progress: json(buildTierProgress()) },
      [
        "Membership",
        "Gold member",
        "Frozen",
        "Your level is frozen. Your benefits are paused.",
        "120 points",
        "Spend $300.00 more to reach Platinum",
        "View member card",
      ],
    ],
    [
      "a customer on the way to the first level",
      { progress: json(buildTierProgress({ spend: "450.00", points: 0, next: { id: "silver", name: "Silver", remainingSpend: "50.00" } })) },
      ["Membership", "You're not a member yet.", "Spend $50.00 more to reach Silver", "View member card"],
    ],
    ["a customer with nothing to show sees nothing", {}, []],
    ["a membership that cannot be read stays out of the way", { level: json({ v: 99 }) }, []],
  ])("%s", async (_case, fields, lines) => {
    await show(fields);
    expect(readable()).toEqual(lines);
  });

  it("links to the member card page, a full-page extension of its own", async () => {
    await show({ level: json(buildTierLevel()), progress: json(buildTierProgress()) });
    expect(MEMBER_PAGE_URL).toBe("extension:account-member-page/");
    expect(tags("s-button").map((b) => b.getAttribute("href"))).toEqual([MEMBER_PAGE_URL]);
  });

  it("stays out of the way when the Customer Account API is unreachable", async () => {
    await runExtension(entry, profileApi(), async () => {
      throw new TypeError("offline");
    });
    expect(readable()).toEqual([]);
  });
});
