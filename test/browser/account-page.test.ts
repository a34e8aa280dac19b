import type { FrameLocator } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createTranslator, type MessageTree } from "~/shared/member-messages";
import { memberView, type ViewContext } from "~/shared/member-view";
import { programView } from "~/shared/program-view";
import en from "../../extensions/account-member-page/locales/en.default.json";
import type { Demo } from "../../scripts/demo/start";
import { browserSuiteEnabled, type AdminBrowser } from "../support/browser";
import { demoInBrowser } from "../support/demo-in-browser";
import { readableText } from "../support/readable-text";
import { DEMO_PAGE_SETTINGS, type ShopperSurface } from "../../tools/shopper-surfaces/account-page/account-page-host";
import { shopMetafields, storefrontShowcase, tierlineMetafields } from "../../tools/shopper-surfaces/storefront/storefront-page";

/**
 * The customer account member card page in real headless Chromium, on `npm run demo`'s stack: the account-member-page
 * extension's real bundle, run by the local customer account host with the `shopify` global stand-in, reading the
 * Customer Account API answered from what the Shopify stand-in holds after the replay (the members' metafields the
 * sync wrote, the shop's programme written on publish). What each demo customer reads is checked against those
 * documents through the shared view-models. Screenshots land in test/artifacts/account-page/ (git-ignored).
 */

const enabled = browserSuiteEnabled();
const ctx: ViewContext = { locale: "en", t: createTranslator(en as MessageTree, "en"), timeZone: undefined };

/** What a shopper reads in the extension's document (run inside the page). */
const readable = (frame: FrameLocator) => frame.locator("body").evaluate(readableText);

describe.skipIf(!enabled)("shopper surfaces in a browser: the member card page, and the profile block, checkout banner and POS", () => {
  const suite = demoInBrowser("account-page", 240_000);
  let demo: Demo;
  let browser: AdminBrowser;
  let printed: string[];
  beforeAll(() => {
    ({ demo, browser, printed } = suite);
  });

  const shopState = () => demo.stack.standIn.shop(demo.stack.shop);
  const showcase = () => storefrontShowcase(shopState());

  it("is printed by the demo: the member card page per level, every other surface, and any customer", () => {
    const start = printed.findIndex((l) => l.startsWith("Customer account, checkout and POS:"));
    expect(start, "the demo's shopper surfaces section").toBeGreaterThan(0);
    const section = printed.slice(start + 1, printed.indexOf("", start));
    expect(section.filter((l) => l.includes(`${demo.accountPage.url}/pages/membership?customer=`)).length).toBeGreaterThanOrEqual(2);
    for (const path of ["/account/profile", "/checkout", "/pos/customer", "/pos/home"])
      expect(
        section.some((l) => l.includes(`${path}?customer=`)),
        path,
      ).toBe(true);
    expect(section).toContain(`  ${"Any customer, any surface".padEnd(40)} ${demo.accountPage.url}`);
  });

  it("shows each demo customer their own card, progress on every condition, and every level of the programme", async () => {
    const programRaw = tierlineMetafields(shopMetafields(shopState())).program?.value;
    expect(programRaw, "the demo shop's $app:tierline.program metafield").toBeDefined();
    for (const [i, s] of showcase().entries()) {
      const fields = tierlineMetafields(shopState().customers[s.customerId].metafields);
      const view = memberView(
        { level: fields.level?.value, progress: fields.progress?.value, benefits: fields.benefits?.value, history: fields.history?.value },
        ctx,
      );
      const program = programView(programRaw, ctx, view.kind === "member" ? view.levelId : null);
      expect(program?.levels.length, "levels in the programme").toBeGreaterThan(1);

      await browser.page.goto(demo.accountPage.memberPageUrl(s.customerId));
      const frame = browser.page.frameLocator("#extension");
      await frame.locator("html[data-extension-rendered=true]").waitFor({ state: "attached" });
      const lines = await readable(frame);
      await browser.screenshot(`${String(i + 1).padStart(2, "0")}-${s.label.toLowerCase().replace(/\W+/g, "-")}`);

      const own =
        view.kind === "member"
          ? [
              t("page.card", { level: view.levelName }),
              view.badgeText,
              ...(view.validity ? [view.validity] : []),
              ...view.benefits.map((b) => b.text),
            ]
          : [view.text];
      const progress = view.progress ? [view.progress.text, ...view.progress.lines.map((l) => l.text)] : [];
      const levels = program!.levels.flatMap((l) => [
        l.name,
        ...(l.current ? [t("program.current")] : []),
        l.requirements.join(` ${t("requirement.or")} `),
        ...l.benefits.map((b) => b.text),
        ...(l.validity ? [l.validity] : []),
      ]);
      expect(lines[0]).toBe("Membership");
      expect(lines, s.label).toEqual(expect.arrayContaining([...own, ...progress]));
      // The programme section, whole and in order.
      const start = lines.indexOf(t("page.program"));
      expect(start, "the programme section").toBeGreaterThan(0);
      expect(lines.slice(start + 1, start + 1 + levels.length), s.label).toEqual(levels);
      // The merchant's texts from the extension settings.
      expect(lines).toEqual(expect.arrayContaining([t("page.rules"), DEMO_PAGE_SETTINGS.upgrade_rules, DEMO_PAGE_SETTINGS.benefit_instructions]));
    }
  });

  it("marks the member's own level in the programme and shows the card image", async () => {
    const member = showcase().find((s) => s.label.endsWith(" member"))!;
    await browser.page.goto(demo.accountPage.memberPageUrl(member.customerId));
    const frame = browser.page.frameLocator("#extension");
    await frame.locator("html[data-extension-rendered=true]").waitFor({ state: "attached" });
    const lines = await readable(frame);
    const level = member.label.replace(/ member$/, "");
    expect(lines[lines.indexOf(level, lines.indexOf(t("page.program"))) + 1]).toBe(t("program.current"));
    // The card is drawn: an SVG image with the level's name in it.
    const src = await frame.locator("s-image").getAttribute("src");
    expect(decodeURIComponent(src ?? "")).toContain(`>${level}<`);
  });

  it("renders a member's level from the demo shop's data on the profile block, checkout banner, POS block, tile and modal", async () => {
    const shop = demo.stack.standIn.shop(demo.stack.shop);
    const member = storefrontShowcase(shop).find((s) => s.label !== "No level yet")!;
    const fields = tierlineMetafields(shop.customers[member.customerId].metafields);
    const view = memberView({ level: fields.level?.value, progress: fields.progress?.value, benefits: fields.benefits?.value }, ctx);
    if (view.kind !== "member") throw new Error(`${member.label} has no level`);
    const cases: [ShopperSurface, string, string[]][] = [
      ["profile-block", "#extension", ["Membership", view.badgeText, "View member card"]],
      ["checkout-banner", "#extension", [view.badgeText]],
      ["pos-customer", "#extension", ["Member level", view.badgeText, ...view.benefits.map((b) => b.text)]],
      ["pos-home", "#extension", ["Member level", [view.badgeText, view.benefits[0]?.text].filter(Boolean).join(" · ")]],
      ["pos-home", "#extension-2", [view.levelName, view.badgeText]],
    ];
    for (const [surface, frameId, expected] of cases) {
      await browser.page.goto(demo.accountPage.surfaceUrl(surface, member.customerId));
      const frame = browser.page.frameLocator(frameId);
      await frame.locator("html[data-extension-rendered=true]").waitFor({ state: "attached" });
      await expect.poll(() => readable(frame), { timeout: 10_000 }).toEqual(expect.arrayContaining(expected));
      await browser.screenshot(`${surface}${frameId === "#extension" ? "" : "-modal"}`);
    }
  });
});

function t(key: string, params?: Record<string, string | number>): string {
  return ctx.t(key, params);
}
