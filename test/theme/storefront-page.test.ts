import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandIn, type StandIn } from "../../tools/shopify-stand-in";
import type { MetafieldMap } from "../../tools/shopify-stand-in/store";
import { startStorefrontPage, storefrontShowcase, type StorefrontPage } from "../../tools/shopper-surfaces/storefront/storefront-page";
import { readBlock } from "./support/read-block";

/**
 * The demo's local storefront page (tools/shopper-surfaces/storefront/storefront-page.ts) over HTTP, on a Shopify stand-in
 * whose records hold the documents as the app writes them (`app--<appId>--tierline.<key>`, the stand-in's storage of
 * `$app:tierline`). The browser suite checks the same page on the full demo stack.
 */

const SHOP = "tierline-demo.myshopify.com";
const PROGRAM = fs.readFileSync(path.join(import.meta.dirname, "fixtures/program.json"), "utf8");
const record = (ownerId: string, key: string, value: unknown) => ({
  id: `gid://shopify/Metafield/${key}-${ownerId.split("/").pop()}`,
  ownerId,
  namespace: "app--424242--tierline",
  key,
  type: "json",
  value: typeof value === "string" ? value : JSON.stringify(value),
  createdAt: "2026-03-02T10:00:00Z",
  updatedAt: "2026-03-02T10:00:00Z",
});

describe("the local storefront page", () => {
  let standIn: StandIn;
  let storefront: StorefrontPage;
  let ada: string;
  let grace: string;

  beforeAll(async () => {
    standIn = await startStandIn({ shops: [{ domain: SHOP, name: "Tierline demo" }] });
    [ada, grace] = standIn.seed(
      {
        customers: [
          { firstName: "Ada", lastName: "Lovelace" },
          { firstName: "Grace", lastName: "Hopper" },
        ],
      },
      SHOP,
    ).customers;
    const shop = standIn.shop(SHOP) as ReturnType<StandIn["shop"]> & { metafields?: MetafieldMap };
    shop.metafields = { "app--424242--tierline.program": record(`gid://shopify/Shop/${shop.numericId}`, "program", PROGRAM) };
    const level = {
      v: 1,
      id: "gold",
      name: "Gold",
      rank: 2,
      status: "active",
      since: "2026-03-02T10:00:00Z",
      expiresAt: null,
      card: { badge: "star", background: "#1f2937", text: "#ffffff", levelColor: "#d4af37", hideDates: false },
    };
    const progress = { v: 1, currency: "USD", spend: "2600.00", points: 250, next: { id: "platinum", name: "Platinum", remainingSpend: "2400.00" } };
    shop.customers[ada].metafields = {
      "app--424242--tierline.level": record(ada, "level", level),
      "app--424242--tierline.progress": record(ada, "progress", progress),
    };
    shop.customers[grace].metafields = {
      "app--424242--tierline.progress": record(grace, "progress", {
        ...progress,
        spend: "10.00",
        points: 0,
        next: { id: "silver", name: "Silver", remainingSpend: "990.00" },
      }),
    };
    storefront = await startStorefrontPage({ standIn, shop: SHOP });
  });

  afterAll(async () => {
    await storefront?.close();
    await standIn?.close();
  });

  const get = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
  };

  it("shows a visitor the programme with a login link to the demo's customer list", async () => {
    const page = await get(storefront.url);
    expect(page.status).toBe(200);
    expect(page.type).toContain("text/html");
    expect(page.body).toContain('<link rel="stylesheet" href="/storefront/assets/tierline.css">');
    const read = readBlock(page.body.slice(page.body.indexOf("<main>"), page.body.indexOf("</main>")));
    expect(read.cards.map((c) => c.name)).toEqual(["Silver", "Gold", "Platinum"]);
    expect(read.loginHref).toBe("/account/login");
    const login = await get(new URL("/account/login", storefront.url).toString());
    expect(login.body).toContain(`<a href="/storefront?customer=${ada.split("/").pop()}">Ada Lovelace</a> (Gold)`);
    expect(login.body).toContain(`<a href="/storefront?customer=${grace.split("/").pop()}">Grace Hopper</a> (No level)`);
  });

  it("shows a logged-in customer their membership from their metafields", async () => {
    const page = await get(storefront.memberUrl(ada));
    expect(page.body).toContain("Logged in as Ada Lovelace");
    const read = readBlock(page.body.slice(page.body.indexOf("<main>"), page.body.indexOf("</main>")));
    expect(read.member).toMatchObject({
      level: "Gold member",
      points: "250 points",
      next: "Spend $2,400.00 more to reach Platinum",
      validity: "Member since March 2, 2026",
    });
    expect(read.cards.find((c) => c.current)?.name).toBe("Gold");
    const none = readBlock(await get(storefront.memberUrl(grace)).then((p) => p.body));
    expect(none.member).toMatchObject({ none: "You're not a member yet.", next: "Spend $990.00 more to reach Silver" });
  });

  it("lists a member of each level and a customer without one for the demo to print", () => {
    expect(storefrontShowcase(standIn.shop(SHOP))).toEqual([
      { label: "Gold member", customerId: ada },
      { label: "No level yet", customerId: grace },
    ]);
  });

  it("serves the extension's stylesheet and answers unknown customers and paths with 404", async () => {
    const css = await get(new URL("/storefront/assets/tierline.css", storefront.url).toString());
    expect(css.type).toContain("text/css");
    expect(css.body).toBe(fs.readFileSync(path.resolve(import.meta.dirname, "../../extensions/tierline-theme/assets/tierline.css"), "utf8"));
    expect((await get(storefront.memberUrl("gid://shopify/Customer/999999"))).status).toBe(404);
    expect((await get(new URL("/storefront/assets/../../package.json", storefront.url).toString())).status).toBe(404);
  });

  it("shows the merchant's theme editor hint when asked for the editor view without a programme", async () => {
    const shop = standIn.shop(SHOP) as ReturnType<StandIn["shop"]> & { metafields?: MetafieldMap };
    const saved = shop.metafields;
    shop.metafields = {};
    try {
      expect(readBlock((await get(storefront.url)).body).cards).toEqual([]);
      expect(readBlock((await get(`${storefront.url}?editor=1`)).body).hint).toMatch(/^Tierline: no membership programme is published yet/);
    } finally {
      shop.metafields = saved;
    }
  });
});
