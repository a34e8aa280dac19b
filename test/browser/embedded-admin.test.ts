import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { parseProgram, previewDiff, type PreviewMember } from "~/domain/index";
import type { Db } from "~/db/client.server";
import { levelChangeText } from "~/services/admin/audit-trail";
import { shopHistories } from "~/services/admin/member-history.server";
import { loadShopContext } from "~/services/shop-context.server";
import type { Demo } from "../../scripts/demo/start";
import { browserSuiteEnabled, type AdminBrowser } from "../support/browser";
import { demoInBrowser } from "../support/demo-in-browser";

/**
 * The embedded admin in real headless Chromium, against `npm run demo`'s stack (production build, Shopify stand-in,
 * App Bridge stand-in, worker). Each step drives the pages like a merchant and checks the outcome in the database
 * or against the engine. Screenshots of every page land in test/artifacts/embedded-admin/ (git-ignored).
 */

const enabled = browserSuiteEnabled();

describe.skipIf(!enabled)("embedded admin in a browser", () => {
  // A fresh temporary database, the replay delivered as fast as the app takes it, then the admin opened.
  const suite = demoInBrowser("embedded-admin");
  let demo: Demo;
  let db: Db;
  let shop: string;
  let browser: AdminBrowser;
  let page: Page;
  beforeAll(() => {
    ({ demo, browser } = suite);
    ({ db, shop } = demo.stack);
    page = browser.page;
  });

  const draftProgram = async () =>
    JSON.parse((await db.programVersion.findFirstOrThrow({ where: { shop, status: "draft" } })).programJson) as ProgramJsonLike;

  it("creates a level with two condition groups", async () => {
    // The demo shop's plan caps levels; a support grant makes room for one more, as support would for a merchant.
    const levelCount = (await db.level.count({ where: { shop } })) + 1;
    await db.shop.update({ where: { domain: shop }, data: { levelCap: Math.max(levelCount, 5) } });

    // Opened without a session token (as after a reload), the app bounces through /auth/session-token, where
    // App Bridge (here its stand-in) reloads the page with a fresh id_token.
    const withoutToken = new URL(demo.adminUrl("/app/levels"));
    withoutToken.searchParams.delete("id_token");
    await page.goto(withoutToken.toString());
    await page.waitForURL((u) => u.pathname === "/app/levels" && u.searchParams.has("id_token"));
    await page.getByRole("heading", { name: "Levels", exact: true }).waitFor();
    await browser.screenshot("01-levels");
    await page.getByRole("link", { name: "Add level" }).click();
    await page.waitForURL(/\/app\/levels\/new/);
    await page.getByLabel("Level name").fill("Diamond");
    await page.getByLabel("Upgrade group 1, condition 1: kind").selectOption("accumulatedSpend");
    await page.getByLabel("Upgrade group 1, condition 1: amount").fill("50000.00");
    await page.getByRole("button", { name: "Add upgrade condition group" }).click();
    await page.getByLabel("Upgrade group 2, condition 1: kind").selectOption("singleOrder");
    await page.getByLabel("Upgrade group 2, condition 1: amount").fill("20000.00");
    await browser.screenshot("02-new-level-form");
    await page.getByRole("button", { name: "Save level" }).click();

    // Saved: the editor moves to the new level's URL and shows what was stored.
    await page.waitForURL(/\/app\/levels\/diamond/);
    await page.getByText("Saved on the draft").waitFor();
    await expect.poll(() => page.getByLabel("Level name").inputValue()).toBe("Diamond");
    await expect.poll(() => page.getByLabel("Upgrade group 2, condition 1: amount").inputValue()).toBe("20000.00");
    await browser.screenshot("03-level-saved");

    const diamond = (await draftProgram()).levels.find((l) => l.name === "Diamond");
    expect(diamond?.upgrade).toEqual([[{ kind: "accumulatedSpend", amount: "50000.00" }], [{ kind: "singleOrder", amount: "20000.00" }]]);

    // Back to the list with the nav menu: a client-side navigation that must keep the session.
    await page.locator("ui-nav-menu").getByRole("link", { name: "Levels" }).click();
    await page.getByRole("link", { name: "Edit Diamond" }).waitFor();
    await browser.screenshot("04-levels-with-draft");
  });

  it("previews a threshold change and sees the move counts the engine computes", async () => {
    // Lower Gold's spend threshold halfway towards the level below it, so thresholds still rise with rank.
    const levels = (await draftProgram()).levels;
    const spendOf = (l: ProgramJsonLike["levels"][number]) =>
      Math.max(
        0,
        ...l.upgrade
          .flat()
          .filter((c) => c.kind === "accumulatedSpend")
          .map((c) => Number(c.amount)),
      );
    const gi = levels.findIndex((l) => l.id === "gold");
    const current = levels[gi].upgrade[0][0];
    expect(current.kind).toBe("accumulatedSpend");
    const lowered = ((Number(current.amount) + Math.max(0, ...levels.slice(0, gi).map(spendOf))) / 2).toFixed(2);

    await page.getByRole("link", { name: "Edit Gold" }).click();
    await page.waitForURL(/\/app\/levels\/gold/);
    const amount = page.getByLabel("Upgrade group 1, condition 1: amount");
    await expect.poll(() => amount.inputValue()).toBe(current.amount);
    await amount.fill(lowered);
    await page.getByRole("button", { name: "Save level" }).click();
    await page.getByText("Saved on the draft").waitFor();
    expect((await draftProgram()).levels.find((l) => l.id === "gold")?.upgrade[0][0]).toMatchObject({ kind: "accumulatedSpend", amount: lowered });

    await page.getByRole("link", { name: "preview and publish", exact: true }).click();
    await page.waitForURL(/\/app\/publish/);
    await page.getByRole("button", { name: "Preview changes" }).click();
    await page.getByRole("heading", { name: "What publishing would do" }).waitFor();
    await browser.screenshot("05-preview");

    const shown = await tableRows(page.locator("table").first());
    const expected = await engineMoves(db, shop);
    expect(Object.values(expected).reduce((n, r) => n + r.up + r.down, 0)).toBeGreaterThan(0);
    expect(Object.fromEntries(shown.map(([name, up, down, stay]) => [name, { up: Number(up), down: Number(down), stay: Number(stay) }]))).toEqual(
      expected,
    );
  });

  it("publishes and watches the progress bar reach 100%", { timeout: 90_000 }, async () => {
    await page.getByRole("button", { name: "Publish now" }).click();
    await page.getByText("Published. Levels are being recalculated.").waitFor();
    const job = await db.job.findFirstOrThrow({ where: { shop, type: "recalculate" }, orderBy: { createdAt: "desc" } });
    await browser.screenshot("06-publishing");

    await page.getByText(/^Done: \d+ members recalculated/).waitFor({ timeout: 60_000 });
    const bar = page.locator(".Polaris-ProgressBar").first();
    expect(await bar.locator("progress").getAttribute("value")).toBe("100");
    // The bar animates to its value; wait until it is drawn full width.
    await expect.poll(() => filledShare(bar), { timeout: 5_000 }).toBeGreaterThan(0.99);
    await browser.screenshot("07-published");

    const done = await db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(done.status).toBe("done");
    expect(done.progress).toBe(done.total);
    expect(await page.getByText(`Done: ${done.total} members recalculated`).count()).toBe(1);
    expect((await db.programVersion.findFirstOrThrow({ where: { shop, status: "published" } })).programJson).toContain("Diamond");
  });

  it("opens a member and reads the audit reason", async () => {
    // A member the new rules moved: their newest level change is from this publication.
    const change = await db.levelChange.findFirstOrThrow({
      where: { shop, retractedAt: null, toLevelId: "gold" },
      orderBy: [{ createdAt: "desc" }, { at: "desc" }],
      include: { member: true },
    });
    const member = change.member;

    await page.locator("ui-nav-menu").getByRole("link", { name: "Members" }).click();
    await page.waitForURL(/\/app\/members/);
    await page.getByPlaceholder("Search by name, email or customer id").fill(member.email ?? member.customerGid);
    // The search runs once typing pauses: the list then holds exactly that member.
    await page.waitForURL((u) => u.searchParams.get("q") === (member.email ?? member.customerGid));
    const name = [member.firstName, member.lastName].filter(Boolean).join(" ");
    const link = page.getByRole("link", { name, exact: true });
    await expect.poll(() => link.count()).toBe(1);
    expect(await page.locator("tbody tr").count()).toBeLessThan(await db.member.count({ where: { shop } }));
    await browser.screenshot("08-members");
    await link.click();
    await page.waitForURL(new RegExp(`/app/members/${member.id}`));
    await page.getByRole("heading", { name: "Why the level changed" }).waitFor();
    await browser.screenshot("09-member");

    const published = parseProgram(JSON.parse((await db.programVersion.findFirstOrThrow({ where: { shop, status: "published" } })).programJson));
    const names = new Map(published.levels.map((l) => [l.id, l.name]));
    const currency = (await db.shop.findUniqueOrThrow({ where: { domain: shop } })).currency;
    const stored = levelChangeText(change, names, currency);
    expect(stored).toContain("Gold");
    const audit = page.locator("ol li");
    expect(await audit.allTextContents()).toContain(stored);
  });
});

interface ProgramJsonLike {
  levels: { id: string; name: string; upgrade: { kind: string; amount?: string }[][] }[];
}

/** The rows of a Polaris DataTable body, cell texts. */
async function tableRows(table: Locator): Promise<string[][]> {
  return table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim())));
}

/** Up/down/stay per current level name, straight from the engine's preview diff over every member's stored history. */
async function engineMoves(db: Db, shop: string): Promise<Record<string, { up: number; down: number; stay: number }>> {
  const ctx = await loadShopContext(db, shop);
  const draftRow = await db.programVersion.findFirstOrThrow({ where: { shop, status: "draft" } });
  const draft = JSON.parse(draftRow.programJson) as ProgramJsonLike;
  const members: PreviewMember[] = [];
  for await (const m of shopHistories(db, shop, ctx.versions)) members.push(m);
  const diff = previewDiff(ctx.versions[0].program, parseProgram(draft), members, Date.now());
  const names = new Map<string, string>([["none", "No level"], ...draft.levels.map((l) => [l.id, l.name] as [string, string])]);
  return Object.fromEntries(Object.entries(diff.perLevel).map(([id, r]) => [names.get(id) ?? id, r]));
}

/** How much of the progress bar's track its indicator fills, as drawn. */
async function filledShare(bar: Locator): Promise<number> {
  return bar.evaluate((el) => {
    const track = el.getBoundingClientRect().width;
    const indicator = el.querySelector("[class*='Indicator']")?.getBoundingClientRect().width ?? 0;
    return track > 0 ? indicator / track : 0;
  });
}
