import { afterAll, beforeAll } from "vitest";
import type { Db } from "~/db/client.server";
import { createTestDb, type TestDb } from "../../support/db";
import { startStandIn, type GrantOptions, type IssuedTokens, type StandIn } from "../../../tools/shopify-stand-in/index";

/**
 * The app's own modules (app/shopify.server.ts, the worker) against the local stand-in, reached only through
 * configuration (SHOPIFY_ADMIN_ORIGIN), on a database of their own. Call at the top of a test file; the returned
 * object is filled in by beforeAll.
 */
export interface AppWithStandIn {
  standIn: StandIn;
  db: Db;
  apiKey: string;
  apiSecret: string;
  /**
   * Installs the app on `shop` at the stand-in (`opts`: the scopes granted, expiring tokens or not) and stores the
   * offline session as the library does after Shopify's install; `expiresInMs` overrides the stored expiry.
   * Installing again replaces the token, as a merchant accepting new scopes does.
   */
  install(shop: string, opts: Omit<GrantOptions, "clientId" | "clientSecret"> & { expiresInMs?: number }): Promise<IssuedTokens>;
}

export function appWithStandIn(name: string): AppWithStandIn {
  let t: TestDb | undefined;
  const app = {
    apiKey: `${name}-key`,
    apiSecret: `${name}-secret`,
    async install(shop, opts) {
      const issued = app.standIn.oauth.grant(app.standIn.addShop({ domain: shop }), { ...opts, clientId: app.apiKey, clientSecret: app.apiSecret });
      const at = (seconds: number | undefined, override?: number) =>
        seconds === undefined ? null : new Date(Date.now() + (override ?? seconds * 1000));
      const tokens = {
        accessToken: issued.access_token,
        scope: issued.scope,
        expires: at(issued.expires_in, opts.expiresInMs),
        refreshToken: issued.refresh_token ?? null,
        refreshTokenExpires: at(issued.refresh_token_expires_in),
      };
      await app.db.session.upsert({
        where: { id: `offline_${shop}` },
        create: { id: `offline_${shop}`, shop, state: "", isOnline: false, ...tokens },
        update: tokens,
      });
      return issued;
    },
  } as AppWithStandIn;

  beforeAll(async () => {
    app.standIn = await startStandIn({ shops: [] });
    t = await createTestDb();
    Object.assign(process.env, {
      DATABASE_URL: t.url,
      SHOPIFY_API_KEY: app.apiKey,
      SHOPIFY_API_SECRET: app.apiSecret,
      SHOPIFY_APP_URL: "https://tierline.example",
      SHOPIFY_ADMIN_ORIGIN: app.standIn.url,
    });
    app.db = (await import("~/db/client.server")).default;
  });
  afterAll(async () => {
    await app.db?.$disconnect();
    await t?.cleanup();
    await app.standIn?.close();
  });
  return app;
}
