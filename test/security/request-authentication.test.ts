import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { dumpTables } from "../support/db";
import {
  adminRequest,
  API_SECRET,
  callHandler,
  ROUTES_DIR,
  routeFilesOnDisk,
  sessionToken,
  startSecurityApp,
  unsignedToken,
  type SecurityApp,
} from "../support/security/app-harness";
import { TIERLINE_APP_URL } from "~/shared/app-url";
import { embeddedHostParam } from "../../tools/shopify-stand-in/session-token";
import { seedTwoShops, SHOP_B, type ShopBIds } from "../support/security/two-shops";

// Which requests Tierline accepts from whom. There is no app proxy. The shopper extensions read the member through
// Shopify's own APIs (Customer Account API, POS's Admin API); the account page calls the app for the two things only
// the app can do (record a birthday once, spend points), with Shopify's customer account session token. Every route
// is one of:
//   - a webhook route (HMAC-checked: webhook-signatures.test.ts),
//   - public by design, holding no shop data (listed below with the reason),
//   - a shopper route (listed below): a customer account extension's call, verified by the library's
//     authenticate.public.customerAccount through app/customer-account-auth.server.ts; its refusals (no token, another
//     secret, expired, no customer) are tested in test/rewards/redemption-route.test.ts and birthday-capture.test.ts,
//   - an admin route, which must refuse any request without a valid App Bridge session token for this app.
// A route added later falls in the last group unless listed, so it is tested here automatically.

const PUBLIC_ROUTES: Record<string, string> = {
  _index: "redirects to /app or the login page; reads nothing",
  healthz: "liveness probe, answers a constant",
  "auth.$": "the library's auth endpoints (token exchange, bounce); authenticate.admin itself",
  "auth.login": "the login form for non-embedded access; shows no shop data",
};

/** Routes the account page calls (POST /api/account/…), with the customer account session token. */
const SHOPPER_ROUTES: Record<string, string> = {
  "api.account.birthday": "records the shopper's birthday once (the token's customer only)",
  "api.account.redemptions": "spends the shopper's points (the token's customer only)",
};

const root = path.resolve(ROUTES_DIR, "../..");
let app: SecurityApp;
let db: Db;
let b: ShopBIds;

beforeAll(async () => {
  app = await startSecurityApp();
  db = app.db;
  b = await seedTwoShops(db);
});
afterAll(async () => app?.cleanup());

/** Route modules: flat files and folder routes (auth.login/route.tsx). */
function allRoutes(): string[] {
  return fs
    .readdirSync(ROUTES_DIR, { withFileTypes: true })
    .map((d) => (d.isDirectory() ? d.name : d.name.replace(/\.tsx?$/, "")))
    .sort();
}
const sessionRoutes = () => allRoutes().filter((r) => !r.startsWith("webhooks.") && !(r in PUBLIC_ROUTES) && !(r in SHOPPER_ROUTES));

describe("the app's surface", () => {
  it("every route is a webhook, a listed public route or an admin route, and the lists are current", () => {
    const routes = allRoutes();
    expect([...Object.keys(PUBLIC_ROUTES), ...Object.keys(SHOPPER_ROUTES)].filter((r) => !routes.includes(r))).toEqual([]);
    expect(sessionRoutes().length).toBeGreaterThan(5);
    expect(sessionRoutes().every((r) => app.routes.has(r))).toBe(true);
  });

  it("every webhook route checks the signature before anything else", () => {
    for (const file of routeFilesOnDisk(/^webhooks\./)) {
      const source = fs.readFileSync(path.join(ROUTES_DIR, `${file}.tsx`), "utf8");
      expect(source, file).toMatch(
        /const delivery = await authenticateWebhook\(await limitWebhookBody\(request\)\);\n\s+const result = await recordWebhook\(/,
      );
    }
  });

  it("declares no app proxy; only the shopper routes take public requests, each through the customer account door", () => {
    const toml = fs.readFileSync(path.join(root, "shopify.app.toml"), "utf8");
    expect(toml).not.toMatch(/^\s*\[app_proxy\]/m);
    for (const r of allRoutes()) {
      const file = fs.existsSync(path.join(ROUTES_DIR, `${r}.tsx`)) ? path.join(ROUTES_DIR, `${r}.tsx`) : path.join(ROUTES_DIR, r, "route.tsx");
      const source = fs.readFileSync(file, "utf8").replace(/^\s*(\/\/|\/?\*).*$/gm, ""); // code, not comments
      expect(source, r).not.toMatch(/authenticate\.public|appProxy/);
      if (r in SHOPPER_ROUTES) expect(source, r).toMatch(/await authenticateShopperCall\(request/);
      else expect(source, r).not.toMatch(/authenticateShopperCall/);
    }
    // The door: the library's customer account check, and no other public kind (checkout, app proxy, POS).
    const door = fs.readFileSync(path.join(root, "app/customer-account-auth.server.ts"), "utf8").replace(/^\s*(\/\/|\/?\*).*$/gm, "");
    expect([...door.matchAll(/authenticate\.public\.(\w+)/g)].map((m) => m[1])).toEqual(["customerAccount"]);
  });

  it("the shopper extensions call only Shopify's APIs, and the app's shopper routes", () => {
    const extensions = fs.readdirSync(path.join(root, "extensions"));
    const urls: string[] = [];
    for (const ext of extensions) {
      const toml = fs.readFileSync(path.join(root, "extensions", ext, "shopify.extension.toml"), "utf8");
      // Only the member card page calls the app (its birthday form and points redemption).
      if (ext !== "account-member-page") expect(toml, ext).not.toMatch(/network_access\s*=\s*true/);
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
      // UI extensions and the Function keep their code in src/; the theme app extension's Liquid, CSS and any
      // JavaScript live in blocks/, snippets/ and assets/.
      const codeDir = fs.existsSync(path.join(root, "extensions", ext, "src"))
        ? path.join(root, "extensions", ext, "src")
        : path.join(root, "extensions", ext);
      for (const file of walk(codeDir).filter((f) => /\.(ts|tsx|js|liquid)$/.test(f))) {
        const code = fs
          .readFileSync(file, "utf8")
          .replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, "")
          .replace(/^\s*(\/\/|\*).*$/gm, "");
        urls.push(
          ...[...code.matchAll(/["'`]([a-z][a-z0-9+.-]*:\/{0,2}[^"'`\s]*)["'`]/gi)]
            .map((m) => m[1])
            .filter((u) => /^(https?|shopify|wss?):/i.test(u)),
        );
      }
    }
    // The extensions' one member-query client (and every other module they bundle) lives in app/shared.
    for (const file of fs.readdirSync(path.join(root, "app", "shared")).filter((f) => /\.ts$/.test(f))) {
      const code = fs.readFileSync(path.join(root, "app", "shared", file), "utf8").replace(/^\s*(\/\/|\*).*$/gm, "");
      urls.push(
        ...[...code.matchAll(/["'`]([a-z][a-z0-9+.-]*:\/{0,2}[^"'`\s]*)["'`]/gi)].map((m) => m[1]).filter((u) => /^(https?|shopify|wss?):/i.test(u)),
      );
    }
    expect(urls.length).toBeGreaterThan(0);
    // An XML namespace (the member card's SVG) names a vocabulary; nothing is fetched from it.
    // The app itself is called only at its origin (app/shared/app-url.ts), on the shopper routes' paths.
    expect(urls.filter((u) => !u.startsWith("shopify:") && u !== "http://www.w3.org/2000/svg" && u !== TIERLINE_APP_URL)).toEqual([]);
    const shared = fs
      .readdirSync(path.join(root, "app", "shared"))
      .map((f) => fs.readFileSync(path.join(root, "app", "shared", f), "utf8"))
      .join("\n");
    const called = [...new Set([...shared.matchAll(/["'`](\/api\/account\/[a-z-]+)["'`]/g)].map((m) => m[1]))].sort();
    expect(called).toEqual(
      Object.keys(SHOPPER_ROUTES)
        .map((r) => `/${r.replaceAll(".", "/")}`)
        .sort(),
    );
  });
});

const now = Date.now();
const BAD_TOKENS: { name: string; token: () => string | null; inQuery?: boolean }[] = [
  { name: "no session token", token: () => null },
  { name: "a malformed token", token: () => "not.a.jwt" },
  { name: "a token signed with another secret", token: () => sessionToken(SHOP_B, { apiSecret: "someone-elses-secret" }) },
  {
    name: "a token signed with the secret of another app",
    token: () => sessionToken(SHOP_B, { apiKey: "another-app", apiSecret: "another-apps-secret" }),
  },
  { name: "a token for another app (aud ≠ API key)", token: () => sessionToken(SHOP_B, { apiKey: "another-app", apiSecret: API_SECRET }) },
  { name: "an expired token", token: () => sessionToken(SHOP_B, { now: now - 3_600_000 }) },
  { name: "a token not valid yet", token: () => sessionToken(SHOP_B, { now: now + 3_600_000 }) },
  { name: "an unsigned token (alg: none)", token: () => unsignedToken(SHOP_B) },
  { name: "a forged token in the id_token query parameter", token: () => sessionToken(SHOP_B, { apiSecret: "someone-elses-secret" }), inQuery: true },
];

/** The handlers a route file exports, read from its source (test cases are listed before the modules load). */
const handlers = sessionRoutes().flatMap((route) => {
  const source = fs.readFileSync(path.join(ROUTES_DIR, `${route}.tsx`), "utf8");
  return (["loader", "action"] as const)
    .filter((kind) => new RegExp(`export (const|async function|function) ${kind}\\b`).test(source))
    .map((kind) => ({ route, kind }));
});

describe("admin routes refuse requests without a valid session token", () => {
  it("covers every admin handler the modules export", () => {
    expect(handlers.length).toBeGreaterThan(10);
    const loaded = sessionRoutes().flatMap((route) =>
      (["loader", "action"] as const).filter((kind) => app.routes.get(route)?.[kind]).map((kind) => ({ route, kind })),
    );
    expect(loaded).toEqual(handlers);
  });

  const cases = handlers.flatMap((h) => BAD_TOKENS.map((t) => ({ ...h, ...t })));
  it.each(cases)("$route $kind with $name → refused, nothing read or written", async ({ route, kind, token, inQuery }) => {
    const handler = app.routes.get(route)![kind]!;
    const before = await dumpTables(db);
    const t = token();
    const query = inQuery && t ? `?embedded=1&shop=${SHOP_B}&host=${embeddedHostParam(SHOP_B)}&id_token=${encodeURIComponent(t)}` : "";
    const form = kind === "action" ? { intent: "setEnabled", levelId: b.levelId, enabled: "false", payload: "{}" } : undefined;
    const response = await callHandler(
      handler,
      adminRequest(`/${route.replace(/\./g, "/").replace("/_index", "").replace("$id", b.memberId)}${query}`, {
        token: inQuery ? null : t,
        form,
        method: kind === "action" ? "POST" : "GET",
      }),
      { id: b.memberId },
    );
    expect([302, 401, 403]).toContain(response.status);
    if (response.status === 302) expect(response.headers.get("Location") ?? "").toMatch(/\/auth\/|session-token|exitiframe/);
    const text = await response.text();
    for (const marker of ["Beatrix", "Apiary", b.customerNumber]) expect(text).not.toContain(marker);
    expect(await dumpTables(db)).toEqual(before);
  });

  it.each([
    ["three NUL bytes", "AAAA"],
    ["bytes that are no host", "/////w=="],
    ["not base64 at all", "A"],
  ])("a host parameter that decodes to %s is answered 400 or redirected, never 500", async (_case, host) => {
    const handler = app.routes.get("app._index")!.loader!;
    const t = sessionToken(SHOP_B);
    const response = await callHandler(
      handler,
      adminRequest(`/app?embedded=1&shop=${SHOP_B}&host=${encodeURIComponent(host)}&id_token=${encodeURIComponent(t)}`, {
        token: null,
        method: "GET",
      }),
      {},
    );
    expect([302, 400]).toContain(response.status);
  });

  it.each(handlers)("control: $route $kind with a valid token is not refused", async ({ route, kind }) => {
    const handler = app.routes.get(route)![kind]!;
    const response = await callHandler(
      handler,
      adminRequest(`/${route.replace(/\./g, "/")}`, { token: sessionToken(SHOP_B), form: kind === "action" ? { intent: "nothing" } : undefined }),
      { id: "unknown" },
    );
    expect([302, 401, 403]).not.toContain(response.status);
  });
});
