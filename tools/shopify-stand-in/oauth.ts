import type http from "node:http";
import type { ShopState } from "./store";

/**
 * The stand-in's side of an app installation: granted scopes and expiring offline access tokens.
 *
 * - `grant(shop, { scopes, expiring })` installs the app: the shop's token becomes a new one (60 minutes, with a
 *   90-day refresh token, when `expiring`), and the granted scopes are recorded.
 * - `POST /admin/oauth/access_token` with `grant_type=refresh_token` (JSON or form body, with the app's client id
 *   and secret) answers `{ access_token, scope, expires_in, refresh_token, refresh_token_expires_in }`, as Shopify
 *   does. The previous refresh token stays usable until the new one is used (Shopify's rule since 2026-08); a
 *   revoked, expired, retired or unknown refresh token is HTTP 400 `invalid_grant` (OAuth 2.0's error code).
 * - An expired access token is refused like a wrong one (HTTP 401).
 * - `currentAppInstallation { accessScopes }` answers the granted scopes.
 * - Without `read_all_orders` among the granted scopes, the `orders` connection answers only orders created in the
 *   last 60 days of the stand-in's clock, as Shopify does.
 * Shops never granted keep the stand-in's plain behaviour (their seeded token, every order).
 */

export const ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 90 * 86_400;
const ORDER_WINDOW_MS = 60 * 86_400_000;

export interface GrantOptions {
  scopes: string[];
  /** Expiring offline token with a refresh token (default true). */
  expiring?: boolean;
  clientId?: string;
  clientSecret?: string;
}

export interface IssuedTokens {
  access_token: string;
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

interface RefreshRecord {
  domain: string;
  expiresAt: number;
  revoked: boolean;
  retired: boolean;
  predecessor: string | null;
}

interface Installation {
  scopes: string[];
  clientId: string | null;
  clientSecret: string | null;
  refreshes: number;
  tokenRequests: number;
}

export interface StandInOAuth {
  grant(shop: ShopState, opts: GrantOptions): IssuedTokens;
  /** The merchant grants or revokes optional scopes: the installation's scopes change, its tokens stay. */
  setScopes(domain: string, scopes: string[]): void;
  /** Revokes every refresh token of the shop (as uninstalling, or rotating the client secret, would). */
  revokeRefreshTokens(domain: string): void;
  /** Refuses an access token from now on, as if it had expired early. */
  revokeAccessToken(token: string): void;
  /** Successful refreshes so far. */
  refreshes(domain: string): number;
  /** Requests to the token endpoint so far, refused ones included. */
  tokenRequests(domain: string): number;
  /** Hooks for index.ts and resolvers.ts. */
  refusesToken(domain: string, token: string): boolean;
  ordersVisibleFrom(domain: string): number | null;
  grantedScopes(domain: string): string[] | null;
  handleTokenRequest(shop: ShopState | null, req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): void;
}

export function createStandInOAuth(now: () => number): StandInOAuth {
  const installations = new Map<string, Installation>();
  const accessTokens = new Map<string, { domain: string; expiresAt: number | null }>();
  const refreshTokens = new Map<string, RefreshRecord>();
  let counter = 0;
  const token = (prefix: string) => `${prefix}_${(++counter).toString(36)}_${Math.random().toString(36).slice(2, 10)}`;

  const issue = (shop: ShopState, expiring: boolean, predecessor: string | null): IssuedTokens => {
    const install = installations.get(shop.domain)!;
    const access = token("shpat");
    accessTokens.set(access, { domain: shop.domain, expiresAt: expiring ? now() + ACCESS_TOKEN_TTL_S * 1000 : null });
    shop.accessToken = access;
    const scope = install.scopes.join(",");
    if (!expiring) return { access_token: access, scope };
    const refresh = token("shprt");
    refreshTokens.set(refresh, { domain: shop.domain, expiresAt: now() + REFRESH_TOKEN_TTL_S * 1000, revoked: false, retired: false, predecessor });
    return { access_token: access, scope, expires_in: ACCESS_TOKEN_TTL_S, refresh_token: refresh, refresh_token_expires_in: REFRESH_TOKEN_TTL_S };
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };

  return {
    grant(shop, opts) {
      const previous = installations.get(shop.domain);
      installations.set(shop.domain, {
        scopes: [...opts.scopes],
        clientId: opts.clientId ?? null,
        clientSecret: opts.clientSecret ?? null,
        refreshes: previous?.refreshes ?? 0,
        tokenRequests: previous?.tokenRequests ?? 0,
      });
      return issue(shop, opts.expiring ?? true, null);
    },
    setScopes(domain, scopes) {
      const install = installations.get(domain);
      if (!install) throw new Error(`the app is not installed on ${domain}`);
      install.scopes = [...scopes];
    },
    revokeRefreshTokens(domain) {
      for (const record of refreshTokens.values()) if (record.domain === domain) record.revoked = true;
    },
    revokeAccessToken(value) {
      const record = accessTokens.get(value);
      if (record) record.expiresAt = Number.NEGATIVE_INFINITY;
    },
    refreshes: (domain) => installations.get(domain)?.refreshes ?? 0,
    tokenRequests: (domain) => installations.get(domain)?.tokenRequests ?? 0,
    refusesToken(domain, value) {
      const record = accessTokens.get(value);
      return record !== undefined && (record.domain !== domain || (record.expiresAt !== null && record.expiresAt <= now()));
    },
    grantedScopes: (domain) => installations.get(domain)?.scopes ?? null,
    ordersVisibleFrom(domain) {
      const install = installations.get(domain);
      return install && !install.scopes.includes("read_all_orders") ? now() - ORDER_WINDOW_MS : null;
    },
    handleTokenRequest(shop, req, raw, res) {
      const install = shop ? installations.get(shop.domain) : undefined;
      if (!shop || !install) return send(res, 404, { errors: "Not Found" });
      install.tokenRequests++;
      const text = raw.toString("utf8");
      let body: Record<string, unknown>;
      try {
        body = String(req.headers["content-type"] ?? "").includes("application/json")
          ? JSON.parse(text || "{}")
          : Object.fromEntries(new URLSearchParams(text));
      } catch {
        return send(res, 400, { error: "invalid_request", error_description: "The request body is not valid JSON." });
      }
      if ((install.clientId && body.client_id !== install.clientId) || (install.clientSecret && body.client_secret !== install.clientSecret)) {
        return send(res, 401, { error: "invalid_client", error_description: "Client authentication failed." });
      }
      if (body.grant_type !== "refresh_token")
        return send(res, 400, { error: "unsupported_grant_type", error_description: `grant_type ${String(body.grant_type)} is not supported here.` });
      const presented = typeof body.refresh_token === "string" ? body.refresh_token : "";
      const record = refreshTokens.get(presented);
      if (!record || record.domain !== shop.domain || record.revoked || record.retired || record.expiresAt <= now()) {
        return send(res, 400, { error: "invalid_grant", error_description: "The refresh token is invalid, expired or revoked." });
      }
      // Using a replacement retires the token it replaced.
      if (record.predecessor) refreshTokens.get(record.predecessor)!.retired = true;
      install.refreshes++;
      return send(res, 200, issue(shop, true, presented));
    },
  };
}
