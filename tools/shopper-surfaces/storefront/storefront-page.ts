import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { ShopState, StandIn } from "../../shopify-stand-in";
import type { MetafieldMap } from "../../shopify-stand-in/store";
import { createShopifyLiquid, THEME_EXTENSION_ROOT, type MetafieldInput } from "./shopify-liquid";
import { escapeHtml } from "../html";

/**
 * A local storefront page for `npm run demo` and the browser suite: a bare theme page with the Tierline
 * "Membership levels" app block in it, rendered on every request by the Shopify-like Liquid environment
 * (./shopify-liquid.ts) from what the Shopify stand-in holds right now: the shop's `$app:tierline.program`
 * metafield and, for `?customer=<id>`, that customer's `$app:tierline` metafields. Nothing here computes a level:
 * the page shows exactly what the app wrote to "Shopify".
 *
 *   GET /storefront                    a visitor who is not logged in
 *   GET /storefront?customer=<id>      logged in as that customer (numeric id or gid)
 *   GET /storefront?editor=1           as the theme editor shows it (request.design_mode)
 *   GET /account/login                 the block's "Log in" link: pick a demo customer to log in as
 *   GET /storefront/assets/<file>      the extension's assets (tierline.css)
 */

export interface StorefrontPage {
  /** http://127.0.0.1:PORT/storefront */
  url: string;
  /** The page as `customerId` (gid or numeric id) sees it when logged in. */
  memberUrl(customerId: string): string;
  close(): Promise<void>;
}

const APP_NAMESPACE = /^app--\d+--tierline\.(.+)$/;

/** `$app:tierline` metafields of an owner, by key, as Liquid sees them (type and stored string). */
export function tierlineMetafields(map: MetafieldMap | undefined): Record<string, MetafieldInput> {
  const out: Record<string, MetafieldInput> = {};
  for (const [name, record] of Object.entries(map ?? {})) {
    const key = APP_NAMESPACE.exec(name)?.[1];
    if (key) out[key] = { type: record.type, value: record.value };
  }
  return out;
}

/** A customer's level as the block reads it (name and rank), or null for none or an unreadable document. */
function levelOf(metafields: MetafieldMap): { name: string; rank: number } | null {
  const level = tierlineMetafields(metafields).level;
  try {
    const doc = level ? (JSON.parse(String(level.value)) as { name?: unknown; rank?: unknown }) : null;
    return doc && typeof doc.name === "string" ? { name: doc.name, rank: typeof doc.rank === "number" ? doc.rank : 0 } : null;
  } catch {
    return null;
  }
}

/** The shop's own metafields (owner type SHOP) where the stand-in keeps them. */
export function shopMetafields(shop: ShopState): MetafieldMap | undefined {
  return (shop as ShopState & { metafields?: MetafieldMap }).metafields;
}

const customerGid = (id: string) => (id.startsWith("gid://") ? id : `gid://shopify/Customer/${id}`);
const numericId = (gid: string) => gid.split("/").pop() ?? gid;

export async function startStorefrontPage(opts: { standIn: StandIn; shop: string; port?: number; host?: string }): Promise<StorefrontPage> {
  const liquid = createShopifyLiquid();
  const host = opts.host ?? "127.0.0.1";
  const shopState = () => opts.standIn.shop(opts.shop);

  const page = (title: string, body: string, signedInAs: string | null) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/storefront/assets/tierline.css">
<style>
  body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa;line-height:1.45}
  header,main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
  header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ddd}
  header a{color:inherit}
</style>
</head>
<body>
<header><strong>${escapeHtml(shopState().name)}</strong><span>${
    signedInAs ? `Logged in as ${escapeHtml(signedInAs)} · <a href="/storefront">Log out</a>` : `<a href="/account/login">Log in</a>`
  }</span></header>
<main>
${body}
</main>
</body>
</html>`;

  const render = async (url: URL): Promise<{ status: number; html: string }> => {
    const shop = shopState();
    const customerParam = url.searchParams.get("customer");
    let customer: { id: number | string; firstName?: string; metafields: Record<string, MetafieldInput> } | null = null;
    let signedInAs: string | null = null;
    if (customerParam) {
      const record = shop.customers[customerGid(customerParam)];
      if (!record)
        return {
          status: 404,
          html: page("Customer not found", `<p>No customer ${escapeHtml(customerParam)} in ${escapeHtml(shop.domain)}.</p>`, null),
        };
      customer = { id: Number(numericId(record.id)), firstName: record.firstName ?? "", metafields: tierlineMetafields(record.metafields) };
      signedInAs = [record.firstName, record.lastName].filter(Boolean).join(" ") || record.email || record.id;
    }
    const block = await liquid.renderBlock({
      shopName: shop.name,
      currency: shop.currencyCode,
      shopMetafields: tierlineMetafields(shopMetafields(shop)),
      customer,
      designMode: url.searchParams.get("editor") === "1",
    });
    return { status: 200, html: page(`Membership — ${shop.name}`, block, signedInAs) };
  };

  const login = (): string => {
    const shop = shopState();
    const rows = Object.values(shop.customers)
      .map((c) => {
        const name = levelOf(c.metafields)?.name ?? "No level";
        const who = [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || c.id;
        return { who, name, href: `/storefront?customer=${numericId(c.id)}` };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.who.localeCompare(b.who));
    const list = rows.map((r) => `<li><a href="${r.href}">${escapeHtml(r.who)}</a> (${escapeHtml(r.name)})</li>`).join("\n");
    return page("Log in", `<h1>Log in as a demo customer</h1>\n<ul class="demo-customers">\n${list}\n</ul>`, null);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    const send = (status: number, body: string | Buffer, type: string) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(body);
    };
    if (req.method !== "GET") return send(405, "Method not allowed", "text/plain; charset=utf-8");
    if (url.pathname === "/storefront" || url.pathname === "/") {
      render(url)
        .then(({ status, html }) => send(status, html, "text/html; charset=utf-8"))
        .catch((error: unknown) =>
          send(500, `Rendering the block failed: ${error instanceof Error ? error.message : String(error)}`, "text/plain; charset=utf-8"),
        );
      return;
    }
    if (url.pathname === "/account/login") return send(200, login(), "text/html; charset=utf-8");
    const asset = /^\/storefront\/assets\/([a-z0-9._-]+)$/i.exec(url.pathname)?.[1];
    if (asset) {
      const file = path.join(THEME_EXTENSION_ROOT, "assets", asset);
      if (!fs.existsSync(file)) return send(404, "Not found", "text/plain; charset=utf-8");
      return send(200, fs.readFileSync(file), asset.endsWith(".css") ? "text/css; charset=utf-8" : "application/octet-stream");
    }
    send(404, "Not found", "text/plain; charset=utf-8");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const base = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/storefront`,
    memberUrl: (id) => `${base}/storefront?customer=${numericId(id)}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Customers worth opening the storefront as: the first member of each level (by level name), and one without a level. */
export function storefrontShowcase(shop: ShopState): { label: string; customerId: string }[] {
  const byLevel = new Map<string, { id: string; rank: number }>();
  let none: string | null = null;
  for (const c of Object.values(shop.customers)) {
    const level = levelOf(c.metafields);
    if (level && !byLevel.has(level.name)) byLevel.set(level.name, { id: c.id, rank: level.rank });
    if (!level && none === null && tierlineMetafields(c.metafields).progress) none = c.id;
  }
  const out = [...byLevel.entries()].sort((a, b) => a[1].rank - b[1].rank).map(([name, m]) => ({ label: `${name} member`, customerId: m.id }));
  if (none) out.push({ label: "No level yet", customerId: none });
  return out;
}
