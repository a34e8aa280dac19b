import { createHmac, randomUUID } from "node:crypto";

/**
 * Mints a Shopify admin session token (HS256, the claims App Bridge's `shopify.idToken()` carries),
 * signed with the app's API secret. `authenticate.admin` validates it exactly like a real one.
 * For tests and the local demo only: production tokens come from Shopify.
 */
export function mintSessionToken(opts: {
  shop: string;
  apiKey: string;
  apiSecret: string;
  userId?: string;
  ttlSeconds?: number;
  now?: number;
}): string {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const header = { alg: "HS256", typ: "JWT" };
  const payload = {
    iss: `https://${opts.shop}/admin`,
    dest: `https://${opts.shop}`,
    aud: opts.apiKey,
    sub: opts.userId ?? "1",
    exp: now + (opts.ttlSeconds ?? 60),
    nbf: now - 1,
    iat: now,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac("sha256", opts.apiSecret).update(body).digest("base64url");
  return `${body}.${signature}`;
}

/** The `host` query parameter Shopify adds to embedded app URLs: base64 of "<shop>/admin". */
export function embeddedHostParam(shop: string): string {
  return Buffer.from(`${shop}/admin`).toString("base64url");
}

/** A URL that opens an embedded admin page outside the Shopify iframe (local use only). */
export function embeddedAdminUrl(
  appUrl: string,
  path: string,
  token: { shop: string; apiKey: string; apiSecret: string; ttlSeconds?: number },
): string {
  const url = new URL(path, appUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", token.shop);
  url.searchParams.set("host", embeddedHostParam(token.shop));
  url.searchParams.set("id_token", mintSessionToken(token));
  return url.toString();
}
