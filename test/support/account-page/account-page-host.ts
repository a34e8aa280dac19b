import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import type { StandIn } from "../shopify-stand-in";
import { runCustomerAccountQuery } from "../shopify-stand-in/customer-account";
import { SHOPIFY_API_VERSION } from "../shopify-stand-in/schemas";

/**
 * A local customer account for `npm run demo` and the browser suite: the member card page extension
 * (extensions/account-member-page, `customer-account.page.render`) bundled with esbuild from its real source and run
 * in a bare account page, with a stand-in of what Shopify provides around it (./host-runtime.ts): the `shopify`
 * global, and the Customer Account API answered for the chosen customer from what the Shopify stand-in holds right
 * now (the member metafields the sync wrote, the shop's programme written on publish), validated against the real
 * customer_2026-10 schema. Logging in is choosing a demo customer; local use only.
 *
 *   GET  /account                                             pick a demo customer
 *   GET  /account/pages/membership?customer=<id>               the member card page as that customer sees it
 *   GET  /account/pages/membership/extension?customer=<id>     the extension's own document (framed by the page above)
 *   POST /account/api/<customer>/customer-account/<v>/graphql.json   the Customer Account API for that customer
 */

export interface AccountPageHost {
  /** http://127.0.0.1:PORT/account */
  url: string;
  /** The member card page as `customerId` (gid or numeric id) sees it. */
  memberPageUrl(customerId: string): string;
  close(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "../../..");
const EXTENSION_DIR = path.join(ROOT, "extensions/account-member-page");
const EXTENSION_ENTRY = path.join(EXTENSION_DIR, "src/MemberPage.tsx");

/** The merchant's texts in the extension's settings, as a demo merchant would write them in the checkout and accounts editor. */
export const DEMO_PAGE_SETTINGS: Record<string, string> = {
  upgrade_rules: "Your level follows what you spent with us over the last 12 months. Reach a higher level and it applies right away.",
  benefit_instructions: "Your level discount applies automatically at checkout when you're logged in.",
};

const numericId = (id: string) => id.split("/").pop() ?? id;
const customerGid = (id: string) => (id.startsWith("gid://") ? id : `gid://shopify/Customer/${id}`);
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

async function bundle(entry: string, opts: { minify: boolean }): Promise<string> {
  const result = await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "browser", target: "es2022", minify: opts.minify, write: false, logLevel: "silent", absWorkingDir: ROOT });
  return result.outputFiles[0].text;
}

const STYLE = `
  body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#f4f4f5;line-height:1.45}
  header,main,body>s-page{max-width:48rem;margin:0 auto;padding:1rem 1.5rem}
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
`;

export async function startAccountPageHost(opts: { standIn: StandIn; shop: string; port?: number; host?: string; settings?: Record<string, string> }): Promise<AccountPageHost> {
  const host = opts.host ?? "127.0.0.1";
  const shopState = () => opts.standIn.shop(opts.shop);
  const messages = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, "locales/en.default.json"), "utf8")) as unknown;
  const settings = opts.settings ?? DEMO_PAGE_SETTINGS;
  // The extension exactly as its source builds (Shopify's CLI bundles the same entry with esbuild too).
  const [extensionJs, runtimeJs] = await Promise.all([bundle(EXTENSION_ENTRY, { minify: true }), bundle(path.join(import.meta.dirname, "host-runtime.ts"), { minify: false })]);

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

  const header = (who: string | null) =>
    `<header><strong>${escapeHtml(shopState().name)} · Customer account</strong><span>${who ? `Logged in as ${escapeHtml(who)} · <a href="/account">Switch customer</a>` : ""}</span></header>`;

  /** The account page around the extension; the extension runs in a frame of its own, as it owns its whole document. */
  const memberPage = (customerParam: string | null, frame: boolean): { status: number; html: string } => {
    const record = customerParam ? shopState().customers[customerGid(customerParam)] : undefined;
    if (!record) return { status: 404, html: page("Customer not found", `${header(null)}<main><p>No customer ${escapeHtml(customerParam ?? "")} in ${escapeHtml(opts.shop)}. <a href="/account">Pick one</a>.</p></main>`) };
    const id = numericId(record.id);
    if (!frame) {
      const who = [record.firstName, record.lastName].filter(Boolean).join(" ") || record.email || record.id;
      const frameStyle = "display:block;width:100%;min-height:20rem;border:0";
      // Same origin: the page grows the frame to the extension's height, as the customer account page does.
      const fit = `<script>const f=document.getElementById("extension");const fit=()=>{const d=f.contentDocument;if(d&&d.documentElement)f.style.height=d.documentElement.scrollHeight+"px"};f.addEventListener("load",()=>{fit();new ResizeObserver(fit).observe(f.contentDocument.body)})</script>`;
      return { status: 200, html: page(`Membership — ${shopState().name}`, `${header(who)}\n<main><iframe id="extension" title="Membership" src="/account/pages/membership/extension?customer=${id}" style="${frameStyle}"></iframe></main>\n${fit}`) };
    }
    const config = { locale: "en", settings, messages, apiBase: `/account/api/${id}/customer-account`, extensionUrl: "/account/extensions/account-member-page.js" };
    const json = JSON.stringify(config).replace(/</g, "\\u003c");
    const head = `<script type="application/json" id="tierline-host-config">${json}</script>\n<script type="module" src="/account/host-runtime.js"></script>\n<style>body{background:transparent}</style>`;
    return { status: 200, html: page("Membership", "", head) };
  };

  const picker = (): string => {
    const rows = Object.values(shopState().customers)
      .map((c) => ({ who: [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || c.id, id: numericId(c.id) }))
      .sort((a, b) => a.who.localeCompare(b.who));
    const list = rows.map((r) => `<li><a href="/account/pages/membership?customer=${r.id}">${escapeHtml(r.who)}</a></li>`).join("\n");
    return page("Log in", `${header(null)}<main><h1>Log in to your customer account as a demo customer</h1>\n<ul class="demo-customers">\n${list}\n</ul></main>`);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    const send = (status: number, body: string, type: string) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(body);
    };
    const api = /^\/account\/api\/(\d+)\/customer-account\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    if (api && req.method === "POST") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (api[2] !== SHOPIFY_API_VERSION) return send(404, JSON.stringify({ errors: "Not Found" }), "application/json");
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        } catch {
          return send(400, JSON.stringify({ errors: [{ message: "Invalid JSON in request body" }] }), "application/json");
        }
        runCustomerAccountQuery({ shop: shopState, customerId: customerGid(api[1]), appId: opts.standIn.appId }, body)
          .then((result) => send(200, JSON.stringify(result), "application/json"))
          .catch((error: unknown) => send(500, JSON.stringify({ errors: [{ message: String(error) }] }), "application/json"));
      });
      return;
    }
    if (req.method !== "GET") return send(405, "Method not allowed", "text/plain; charset=utf-8");
    if (url.pathname === "/account" || url.pathname === "/") return send(200, picker(), "text/html; charset=utf-8");
    if (url.pathname === "/account/pages/membership" || url.pathname === "/account/pages/membership/extension") {
      const { status, html } = memberPage(url.searchParams.get("customer"), url.pathname.endsWith("/extension"));
      return send(status, html, "text/html; charset=utf-8");
    }
    if (url.pathname === "/account/host-runtime.js") return send(200, runtimeJs, "text/javascript; charset=utf-8");
    if (url.pathname === "/account/extensions/account-member-page.js") return send(200, extensionJs, "text/javascript; charset=utf-8");
    send(404, "Not found", "text/plain; charset=utf-8");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const base = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/account`,
    memberPageUrl: (id) => `${base}/account/pages/membership?customer=${numericId(id)}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
