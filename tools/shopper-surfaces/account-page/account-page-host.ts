import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import type { StandIn } from "../../shopify-stand-in";
import { runCustomerAccountQuery } from "../../shopify-stand-in/customer-account";
import { SHOPIFY_API_VERSION } from "../../shopify-stand-in/schemas";
import type { HostConfig } from "./host-runtime";
import { escapeHtml } from "../html";

/**
 * The shopper UI extensions running locally, for `npm run demo` and the browser suite: each extension's real source
 * bundled with esbuild and run in a bare page of the surface it belongs to, with a stand-in of what Shopify provides
 * around it (./host-runtime.ts: the `shopify` global of its target). Data comes from what the Shopify stand-in holds
 * right now: the Customer Account API (validated against the real customer_2026-10 schema) and POS's Admin API
 * answer from the members' metafields the sync wrote and the shop's programme written on publish; checkout gets the
 * customer's `$app:tierline` metafields as checkout delivers them. Logging in is choosing a demo customer; local use only.
 *
 *   GET  /account                                           pick a demo customer
 *   GET  /account/pages/membership?customer=<id>            the member card page (customer-account.page.render)
 *   GET  /account/profile?customer=<id>                     the profile block (customer-account.profile.block.render)
 *   GET  /checkout?customer=<id>                            the checkout banner (purchase.checkout.block.render)
 *   GET  /pos/customer?customer=<id>                        the POS customer details block
 *   GET  /pos/home?customer=<id>                            the POS smart grid tile and its modal, the customer in the cart
 *   GET  /frame/<target>?customer=<id>                      one extension's own document (each surface page frames it)
 *   POST /account/api/<customer>/customer-account/<v>/graphql.json   the Customer Account API for that customer
 *   POST /pos/api/graphql.json                              POS's direct Admin API access (forwarded to the stand-in)
 */

export type ShopperSurface = "account-page" | "profile-block" | "checkout-banner" | "pos-customer" | "pos-home";

export interface AccountPageHost {
  /** http://127.0.0.1:PORT/account: pick a customer, then any surface. */
  url: string;
  /** The member card page as `customerId` (gid or numeric id) sees it. */
  memberPageUrl(customerId: string): string;
  /** Any shopper surface for `customerId`. */
  surfaceUrl(surface: ShopperSurface, customerId: string): string;
  close(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "../../..");

type Target = HostConfig["target"];
/** Each target: its extension, its module, and the surface page it appears on. */
const TARGETS: Record<Target, { extension: string; module: string }> = {
  "customer-account.page.render": { extension: "account-member-page", module: "MemberPage" },
  "customer-account.profile.block.render": { extension: "account-member-card", module: "ProfileBlock" },
  "purchase.checkout.block.render": { extension: "checkout-tier-banner", module: "Checkout" },
  "pos.customer-details.block.render": { extension: "pos-member-tile", module: "CustomerBlock" },
  "pos.home.tile.render": { extension: "pos-member-tile", module: "Tile" },
  "pos.home.modal.render": { extension: "pos-member-tile", module: "Modal" },
};

export const SURFACES: Record<ShopperSurface, { path: string; title: string; frames: { target: Target; label?: string }[] }> = {
  "account-page": { path: "/account/pages/membership", title: "Membership", frames: [{ target: "customer-account.page.render" }] },
  "profile-block": { path: "/account/profile", title: "Profile", frames: [{ target: "customer-account.profile.block.render" }] },
  "checkout-banner": { path: "/checkout", title: "Checkout", frames: [{ target: "purchase.checkout.block.render" }] },
  "pos-customer": { path: "/pos/customer", title: "POS · Customer details", frames: [{ target: "pos.customer-details.block.render" }] },
  "pos-home": {
    path: "/pos/home",
    title: "POS · Smart grid",
    frames: [
      { target: "pos.home.tile.render", label: "Tile (the customer is in the cart)" },
      { target: "pos.home.modal.render", label: "Modal (tapping the tile opens it)" },
    ],
  },
};

/** The merchant's texts in the member card page's settings, as a demo merchant would write them in the editor. */
export const DEMO_PAGE_SETTINGS: Record<string, string> = {
  upgrade_rules: "Your level follows what you spent with us over the last 12 months. Reach a higher level and it applies right away.",
  benefit_instructions: "Your level discount applies automatically at checkout when you're logged in.",
};

const numericId = (id: string) => id.split("/").pop() ?? id;
const customerGid = (id: string) => (id.startsWith("gid://") ? id : `gid://shopify/Customer/${id}`);

async function bundle(entry: string, opts: { minify: boolean }): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: opts.minify,
    write: false,
    logLevel: "silent",
    absWorkingDir: ROOT,
  });
  return result.outputFiles[0].text;
}

const STYLE = `
  body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#f4f4f5;line-height:1.45}
  header,main,body>s-page{max-width:48rem;margin:0 auto;padding:1rem 1.5rem}
  iframe.extension{display:block;width:100%;min-height:6rem;border:0}
  h2{font-size:1rem;color:#616161;margin:1.25rem 0 .5rem}
  header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ddd}
  header a{color:inherit}
  s-page,s-section,s-stack,s-banner,s-grid,s-unordered-list,s-paragraph,s-heading,s-divider,s-image,s-progress{display:block}
  s-page[heading]::before{content:attr(heading);display:block;font-size:1.6rem;font-weight:650;margin-bottom:1rem}
  s-section{background:#fff;border:1px solid #e3e3e3;border-radius:12px;padding:1rem 1.25rem}
  s-section[heading]::before{content:attr(heading);display:block;font-weight:650;font-size:1.1rem;margin-bottom:.5rem}
  s-stack{display:flex;flex-direction:column;gap:.5rem}
  s-stack[direction=inline]{flex-direction:row;align-items:center;flex-wrap:wrap}
  s-badge{display:inline-block;padding:.1rem .6rem;border-radius:999px;background:#e8eefc;font-size:.85rem}
  s-banner{padding:.75rem 1rem;border-radius:8px;background:#fff4e5}
  s-banner[tone=critical]{background:#fde8e8}
  s-text[color=subdued]{color:#616161}
  s-text[tone=success]{color:#0a7a33} s-text[tone=critical]{color:#b42318} s-text[tone=warning]{color:#8a5a00}
  s-text[type=strong],s-heading{font-weight:650}
  s-unordered-list{padding-left:1.2rem} s-list-item{display:list-item;list-style:disc}
  s-grid{display:grid;grid-template-columns:1fr 1fr auto;gap:.25rem 1rem}
  s-divider{border-top:1px solid #e3e3e3;margin:.25rem 0}
  s-tile,s-pos-block{display:block;background:#fff;border:1px solid #e3e3e3;border-radius:12px;padding:1rem;max-width:20rem}
  s-pos-block{max-width:none}
  s-tile{cursor:pointer}
  s-tile[disabled]{opacity:.55;cursor:default}
  s-tile::before,s-pos-block[heading]::before{content:attr(heading);display:block;font-weight:650}
  s-tile::after{content:attr(subheading);display:block;color:#616161}
`;

export async function startAccountPageHost(opts: {
  standIn: StandIn;
  shop: string;
  port?: number;
  host?: string;
  settings?: Record<string, string>;
  storefrontUrl?: string;
}): Promise<AccountPageHost> {
  const host = opts.host ?? "127.0.0.1";
  const shopState = () => opts.standIn.shop(opts.shop);
  const messagesOf = (extension: string) =>
    JSON.parse(fs.readFileSync(path.join(ROOT, "extensions", extension, "locales/en.default.json"), "utf8")) as HostConfig["messages"];
  // Each extension module exactly as its source builds (Shopify's CLI bundles the same entries with esbuild too).
  const bundles = new Map<string, string>();
  await Promise.all([
    ...Object.values(TARGETS).map(async ({ extension, module }) =>
      bundles.set(
        `/extensions/${extension}/${module}.js`,
        await bundle(path.join(ROOT, "extensions", extension, "src", `${module}.tsx`), { minify: true }),
      ),
    ),
    (async () => bundles.set("/host-runtime.js", await bundle(path.join(import.meta.dirname, "host-runtime.ts"), { minify: false })))(),
  ]);

  const page = (title: string, body: string, head = "") => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
${head}
</head>
<body>
${body}
</body>
</html>`;

  const nameOf = (c: { firstName: string | null; lastName: string | null; email: string | null; id: string }) =>
    [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || c.id;
  const header = (title: string, who: string | null) =>
    `<header><strong>${escapeHtml(shopState().name)} · ${escapeHtml(title)}</strong><span>${who ? `Logged in as ${escapeHtml(who)} · ` : ""}<a href="/account">Switch customer</a></span></header>`;
  const notFound = (customerParam: string | null) => ({
    status: 404,
    html: page(
      "Customer not found",
      `${header("Customer not found", null)}<main><p>No customer ${escapeHtml(customerParam ?? "")} in ${escapeHtml(opts.shop)}.</p></main>`,
    ),
  });

  /** A surface page around its extension(s); each extension runs in a frame of its own, as it owns its document. */
  const surfacePage = (surface: ShopperSurface, customerParam: string | null): { status: number; html: string } => {
    const record = customerParam ? shopState().customers[customerGid(customerParam)] : undefined;
    if (!record) return notFound(customerParam);
    const { title, frames } = SURFACES[surface];
    const id = numericId(record.id);
    const frameHtml = frames
      .map(
        (f, i) =>
          `${f.label ? `<h2>${escapeHtml(f.label)}</h2>` : ""}<iframe id="${i === 0 ? "extension" : `extension-${i + 1}`}" class="extension" title="${escapeHtml(f.label ?? title)}" src="/frame/${f.target}?customer=${id}"></iframe>`,
      )
      .join("\n");
    // Same origin: the page grows each frame to its extension's height, as the surfaces do.
    const fit = `<script>for(const f of document.querySelectorAll("iframe.extension")){const fit=()=>{const d=f.contentDocument;if(d&&d.documentElement)f.style.height=d.documentElement.scrollHeight+"px"};f.addEventListener("load",()=>{fit();new ResizeObserver(fit).observe(f.contentDocument.body)})}</script>`;
    return { status: 200, html: page(`${title} — ${shopState().name}`, `${header(title, nameOf(record))}\n<main>${frameHtml}</main>\n${fit}`) };
  };

  const framePage = (target: Target, customerParam: string | null): { status: number; html: string } => {
    const record = customerParam ? shopState().customers[customerGid(customerParam)] : undefined;
    if (!record) return notFound(customerParam);
    const { extension, module } = TARGETS[target];
    const id = numericId(record.id);
    const metafields = Object.values(record.metafields)
      .filter((m) => m.namespace === `app--${opts.standIn.appId}--tierline` && ["level", "progress", "benefits"].includes(m.key))
      .map((m) => ({ key: m.key, value: m.value }));
    const config: HostConfig = {
      target,
      locale: "en",
      settings: target === "customer-account.page.render" ? (opts.settings ?? DEMO_PAGE_SETTINGS) : {},
      messages: messagesOf(extension),
      extensionUrl: `/extensions/${extension}/${module}.js`,
      customerAccountApi: target.startsWith("customer-account.") ? `/account/api/${id}/customer-account` : null,
      adminApi: target.startsWith("pos.") ? "/pos/api/graphql.json" : null,
      customer: { gid: record.id, id: Number(id), metafields },
      storefrontUrl: opts.storefrontUrl ?? null,
    };
    const json = JSON.stringify(config).replace(/</g, "\\u003c");
    const head = `<script type="application/json" id="tierline-host-config">${json}</script>\n<script type="module" src="/host-runtime.js"></script>\n<style>body{background:transparent}</style>`;
    return { status: 200, html: page(target, "", head) };
  };

  const picker = (): string => {
    const rows = Object.values(shopState().customers)
      .map((c) => ({ who: nameOf(c), id: numericId(c.id) }))
      .sort((a, b) => a.who.localeCompare(b.who));
    const links = (id: string) =>
      (Object.keys(SURFACES) as ShopperSurface[])
        .map((s) => `<a href="${SURFACES[s].path}?customer=${id}">${escapeHtml(SURFACES[s].title)}</a>`)
        .join(" · ");
    const list = rows.map((r) => `<li>${escapeHtml(r.who)}: ${links(r.id)}</li>`).join("\n");
    return page(
      "Log in",
      `${header("Shopper surfaces", null)}<main><h1>Log in as a demo customer</h1>\n<ul class="demo-customers">\n${list}\n</ul></main>`,
    );
  };

  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    const send = (status: number, body: string, type: string) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(body);
    };
    const fail = (error: unknown) => send(500, JSON.stringify({ errors: [{ message: String(error) }] }), "application/json");
    const customerApi = /^\/account\/api\/(\d+)\/customer-account\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    if (customerApi && req.method === "POST") {
      void readBody(req)
        .then(async (raw) => {
          if (customerApi[2] !== SHOPIFY_API_VERSION) return send(404, JSON.stringify({ errors: "Not Found" }), "application/json");
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            return send(400, JSON.stringify({ errors: [{ message: "Invalid JSON in request body" }] }), "application/json");
          }
          const result = await runCustomerAccountQuery({ shop: shopState, customerId: customerGid(customerApi[1]), appId: opts.standIn.appId }, body);
          send(200, JSON.stringify(result), "application/json");
        })
        .catch(fail);
      return;
    }
    if (url.pathname === "/pos/api/graphql.json" && req.method === "POST") {
      // POS extensions call the Admin API with the app's session: the stand-in's, with the shop's token.
      void readBody(req)
        .then(async (raw) => {
          const answer = await fetch(`${opts.standIn.url}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, {
            method: "POST",
            headers: {
              "Content-Type": "application/json",
              "X-Shopify-Shop-Domain": opts.shop,
              "X-Shopify-Access-Token": shopState().accessToken ?? "shpat_pos_host",
            },
            body: raw,
          });
          send(answer.status, await answer.text(), "application/json");
        })
        .catch(fail);
      return;
    }
    if (req.method !== "GET") return send(405, "Method not allowed", "text/plain; charset=utf-8");
    if (url.pathname === "/account" || url.pathname === "/") return send(200, picker(), "text/html; charset=utf-8");
    const customer = url.searchParams.get("customer");
    const surface = (Object.keys(SURFACES) as ShopperSurface[]).find((s) => SURFACES[s].path === url.pathname);
    if (surface) {
      const { status, html } = surfacePage(surface, customer);
      return send(status, html, "text/html; charset=utf-8");
    }
    const frameTarget = /^\/frame\/([a-z.-]+)$/.exec(url.pathname)?.[1] as Target | undefined;
    if (frameTarget && frameTarget in TARGETS) {
      const { status, html } = framePage(frameTarget, customer);
      return send(status, html, "text/html; charset=utf-8");
    }
    const js = bundles.get(url.pathname);
    if (js) return send(200, js, "text/javascript; charset=utf-8");
    send(404, "Not found", "text/plain; charset=utf-8");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const base = `http://${host}:${(server.address() as AddressInfo).port}`;
  const surfaceUrl = (surface: ShopperSurface, id: string) => `${base}${SURFACES[surface].path}?customer=${numericId(id)}`;
  return {
    url: `${base}/account`,
    memberPageUrl: (id) => surfaceUrl("account-page", id),
    surfaceUrl,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
