import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createTranslator, MEMBER_MESSAGES_EN } from "~/shared/member-messages";
import { memberView, type ViewContext } from "~/shared/member-view";
import { programView } from "~/shared/program-view";
import { parseTierLevel, parseTierProgram } from "~/shared/tier-metafield";
import type { Demo } from "../../scripts/demo/start";
import { browserSuiteEnabled, type AdminBrowser } from "../support/browser";
import { demoInBrowser } from "../support/demo-in-browser";
import { shopMetafields, storefrontShowcase, tierlineMetafields } from "../../tools/shopper-surfaces/storefront/storefront-page";

/**
 * The storefront's Membership levels block in real headless Chromium, on `npm run demo`'s stack: the page the demo
 * prints renders the theme app extension's Liquid from what the Shopify stand-in holds after the replay (the shop's
 * `program` metafield written on publish, the customers' metafields written by the sync). What a visitor and a
 * logged-in member read is checked against those documents through the shared view-models, so the storefront says
 * what the account page says. Screenshots land in test/artifacts/storefront/ (git-ignored).
 */

const enabled = browserSuiteEnabled();
const ctx: ViewContext = { locale: "en", t: createTranslator(MEMBER_MESSAGES_EN, "en"), timeZone: "UTC" };

describe.skipIf(!enabled)("storefront block in a browser", () => {
  const suite = demoInBrowser("storefront");
  let demo: Demo;
  let browser: AdminBrowser;
  let page: Page;
  let printed: string[];
  beforeAll(() => {
    ({ demo, browser, printed } = suite);
    page = browser.page;
  });

  const shopState = () => demo.stack.standIn.shop(demo.stack.shop);
  const program = () => {
    const raw = tierlineMetafields(shopMetafields(shopState())).program;
    const parsed = parseTierProgram(raw?.value);
    if (!parsed) throw new Error(`the stand-in shop holds no readable $app:tierline.program metafield (${raw ? "unreadable" : "missing"})`);
    return parsed;
  };
  const customerDocs = (gid: string) => {
    const fields = tierlineMetafields(shopState().customers[gid].metafields);
    return { level: fields.level?.value, progress: fields.progress?.value, benefits: fields.benefits?.value };
  };
  /** Visible text of every element matching `selector` inside `within`, whitespace collapsed. */
  const texts = (selector: string) =>
    page.locator(selector).evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, " ").trim()));

  it("is printed by the demo, as a visitor and as a member of every level", () => {
    expect(printed).toContain(`  Visitor, not logged in   ${demo.storefront.url}`);
    for (const level of program().levels)
      expect(printed.some((l) => l.startsWith(`  ${level.name} member`) && l.includes(`${demo.storefront.url}?customer=`))).toBe(true);
  });

  it("shows a visitor every level, what it takes and gives, and a way to log in", async () => {
    await page.goto(demo.storefront.url);
    await page.getByRole("heading", { name: "Membership levels", level: 2 }).waitFor();
    await browser.screenshot("01-visitor");
    const view = programView(program(), ctx, null)!;
    expect(await texts(".tierline-card__name")).toEqual(view.levels.map((l) => l.name));
    for (const [i, level] of view.levels.entries()) {
      const card = `.tierline-card:nth-child(${i + 1})`;
      const requirements = await page.locator(`${card} .tierline-card__requirements > li`).evaluateAll((lis) =>
        lis.map((li) => {
          const clone = li.cloneNode(true) as HTMLElement;
          clone.querySelector(".tierline-or")?.remove();
          return (clone.textContent ?? "").replace(/\s+/g, " ").trim();
        }),
      );
      expect(requirements.length > 0 ? requirements : level.requirements).toEqual(level.requirements);
      expect(await texts(`${card} .tierline-card__benefits li`)).toEqual(level.benefits.map((b) => b.text));
      expect((await texts(`${card} .tierline-card__validity`))[0]).toBe(level.validity);
    }
    // The demo programme (scripts/demo/program.json): Silver takes 3 orders and $1,000, or the VIP card, or 3 Knitwear items.
    expect(view.levels[0].requirements).toEqual([
      "3 orders and $1,000 spent in the last 365 days",
      "1 selected product bought in the last 365 days",
      "3 selected products bought in the last 365 days",
    ]);
    expect((await texts(".tierline__guest"))[0]).toBe("Log in to see your member level and savings. Log in");
    // The block's styles come from the extension's own asset.
    expect(
      await page
        .locator(".tierline-card")
        .first()
        .evaluate((el) => getComputedStyle(el).borderRadius),
    ).not.toBe("0px");
  });

  it("logs a member in and shows their level, points and progress, with their level marked", async () => {
    const top = storefrontShowcase(shopState())
      .filter((s) => s.label !== "No level yet")
      .at(-1)!;
    const docs = customerDocs(top.customerId);
    const level = parseTierLevel(docs.level)!;
    const view = memberView(docs, ctx);
    if (view.kind !== "member") throw new Error(`${top.customerId} has no level`);

    await page.getByRole("link", { name: "Log in", exact: true }).first().click();
    await page.waitForURL(/\/account\/login/);
    await page.locator(`a[href$="?customer=${top.customerId.split("/").pop()}"]`).click();
    await page.waitForURL(/\/storefront\?customer=/);
    await page.getByRole("heading", { name: "Your membership" }).waitFor();
    await browser.screenshot("02-member");

    expect((await texts(".tierline-member__level"))[0]).toBe(view.badgeText);
    expect((await texts(".tierline-member__points"))[0]).toBe(view.points);
    if (view.validity) expect((await texts(".tierline-member__validity"))[0]).toBe(view.validity);
    if (view.progress) expect((await texts(".tierline-member__next"))[0]).toBe(view.progress.text);
    if (view.progress?.kind === "next") expect(await texts(".tierline-progress__line span")).toEqual(view.progress.lines.map((l) => l.text));
    expect(await texts(".tierline-member__benefits li")).toEqual(view.benefits.map((b) => b.text));
    expect(await texts('.tierline-card[aria-current="true"] .tierline-card__name')).toEqual([level.name]);
    expect(await texts(".tierline__guest")).toEqual([]);
  });

  it("tells a customer without a level that they are not a member yet", async () => {
    const none = storefrontShowcase(shopState()).find((s) => s.label === "No level yet");
    if (!none) return; // every demo customer reached a level: nothing to show
    await page.goto(demo.storefront.memberUrl(none.customerId));
    await page.getByRole("heading", { name: "Your membership" }).waitFor();
    await browser.screenshot("03-no-level");
    expect((await texts(".tierline-member__none"))[0]).toBe("You're not a member yet.");
    expect(await texts('.tierline-card[aria-current="true"]')).toEqual([]);
  });
});
