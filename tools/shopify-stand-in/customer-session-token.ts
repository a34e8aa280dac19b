import { createHmac, randomUUID } from "node:crypto";

/**
 * Mints the session token a customer account UI extension gets from `shopify.sessionToken.get()`: an HS256 JWT signed
 * with the app's API secret, carrying `dest` (the shop's myshopify domain), `aud` (the app's API key / client id),
 * `sub` (the logged-in customer's GID; Shopify adds it when the app may read customers), `exp` (5 minutes after
 * issue on Shopify), `nbf`, `iat` and a `jti` nonce. There is no `iss` and no `sid`: those belong to the admin's
 * App Bridge token (`mintSessionToken` in session-token.ts).
 *
 * `authenticate.public.customerAccount` (@shopify/shopify-app-remix 6) verifies the signature and exp/nbf (10 s
 * tolerance) and does not check `aud`; the app reads the shop from `dest` and the customer from `sub`.
 * For tests and the local demo only: production tokens come from Shopify.
 */
export function customerSessionToken(opts: {
  shop: string;
  /** GID of the logged-in customer; `null` mints a token without `sub` (a shopper who is not logged in). */
  customerGid: string | null;
  apiKey: string;
  apiSecret: string;
  ttlSeconds?: number;
  /** Epoch milliseconds the token is issued at (default: now). */
  now?: number;
}): string {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const payload: Record<string, unknown> = {
    dest: opts.shop,
    aud: opts.apiKey,
    exp: now + (opts.ttlSeconds ?? 300),
    nbf: now,
    iat: now,
    jti: randomUUID(),
  };
  if (opts.customerGid !== null) payload.sub = opts.customerGid;
  const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(payload)}`;
  return `${body}.${createHmac("sha256", opts.apiSecret).update(body).digest("base64url")}`;
}
