import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type { AdminGraphqlClient } from "./admin-graphql.server";

/**
 * Expiring offline access tokens outside any request (the worker). Shopify's expiring offline tokens last 60 minutes
 * and come with a refresh token (90 days) that is replaced on every refresh; a public app must use them (apps created
 * from 2026-04-01; from 2027-01-01 Admin API calls with non-expiring tokens fail). The web app's library refreshes
 * the token when a request finds it about to expire; a job has no request, and may run for longer than a token
 * lives, so the worker's Admin client refreshes here: before a call when the token expires within
 * REFRESH_BEFORE_EXPIRY_MS (earlier than the library's own five minutes, so the two never race), and once after
 * Shopify answers 401. The new pair is stored before it is used. A refused refresh (revoked or expired refresh
 * token) is an OfflineTokenError the job's retries report; it never loops.
 */

export const REFRESH_BEFORE_EXPIRY_MS = 10 * 60_000;

export type OfflineTokenErrorCode = "NO_SESSION" | "REFRESH_REFUSED" | "REFRESH_FAILED";

export class OfflineTokenError extends Error {
  constructor(
    readonly code: OfflineTokenErrorCode,
    message: string,
    readonly details: { shop: string; status?: number; error?: string } = { shop: "" },
  ) {
    super(message);
    this.name = "OfflineTokenError";
  }
}

/** The app's session storage; `loadFresh` (CachedSessionStorage) reads past any cache, to see another process's refresh. */
export type OfflineSessionStorage = Pick<SessionStorage, "loadSession" | "storeSession"> & { loadFresh?(id: string): Promise<Session | undefined> };

export interface OfflineTokenOptions {
  storage: OfflineSessionStorage;
  /** The app's client id and secret (SHOPIFY_API_KEY, SHOPIFY_API_SECRET). */
  clientId: string;
  clientSecret: string;
  /** Sends the token request (production: the library's fetch, so SHOPIFY_ADMIN_ORIGIN applies). */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  now?: () => number;
}

interface TokenResponse {
  access_token?: unknown;
  scope?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  refresh_token_expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export const offlineSessionId = (shop: string) => `offline_${shop}`;

export class OfflineTokens {
  private readonly inFlight = new Map<string, Promise<Session>>();
  private readonly now: () => number;

  constructor(private readonly opts: OfflineTokenOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The shop's offline session, refreshed and stored first when its access token expires within REFRESH_BEFORE_EXPIRY_MS. */
  async current(shop: string): Promise<Session> {
    const session = await this.opts.storage.loadSession(offlineSessionId(shop));
    if (!session) throw noSession(shop);
    return this.expiresSoon(session) ? this.refresh(shop, session.accessToken ?? "") : session;
  }

  /** After Shopify refused `rejectedToken`: the stored session when another process already replaced it, else a refreshed one. */
  replace(shop: string, rejectedToken: string): Promise<Session> {
    return this.refresh(shop, rejectedToken);
  }

  /** The stored session when it holds a token other than `staleToken` that is not about to expire (another process's), else null. */
  async storedNewer(shop: string, staleToken: string): Promise<Session | null> {
    const stored = await this.loadFresh(shop);
    return stored?.accessToken && stored.accessToken !== staleToken && !this.expiresSoon(stored) ? stored : null;
  }

  private expiresSoon(session: Session): boolean {
    return Boolean(session.expires && session.expires.getTime() - REFRESH_BEFORE_EXPIRY_MS <= this.now());
  }

  /** One refresh per shop at a time in this process; callers that arrive meanwhile share its outcome. */
  private refresh(shop: string, staleToken: string): Promise<Session> {
    const running = this.inFlight.get(shop);
    if (running) return running;
    const promise = this.refreshOnce(shop, staleToken).finally(() => this.inFlight.delete(shop));
    this.inFlight.set(shop, promise);
    return promise;
  }

  private async refreshOnce(shop: string, staleToken: string): Promise<Session> {
    // Another worker or the web app replaced the token since this caller loaded the session.
    const newer = await this.storedNewer(shop, staleToken);
    if (newer) return newer;
    const stored = await this.loadFresh(shop);
    if (!stored) throw noSession(shop);
    if (!stored.refreshToken) {
      throw new OfflineTokenError(
        "REFRESH_REFUSED",
        `${shop}: the offline access token was refused or has expired, and there is no refresh token to replace it. Open Tierline once from the shop's Shopify admin to issue a new token.`,
        { shop },
      );
    }
    if (stored.refreshTokenExpires && stored.refreshTokenExpires.getTime() <= this.now()) {
      throw refused(shop, `the refresh token expired on ${stored.refreshTokenExpires.toISOString()}`);
    }

    let response: Response;
    try {
      response = await this.opts.fetch(`https://${shop}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({
          client_id: this.opts.clientId,
          client_secret: this.opts.clientSecret,
          grant_type: "refresh_token",
          refresh_token: stored.refreshToken,
        }),
      });
    } catch (error) {
      throw new OfflineTokenError(
        "REFRESH_FAILED",
        `${shop}: the access token refresh did not reach Shopify (${(error as Error).message}); the job retries`,
        { shop },
      );
    }
    const body = (await response.json().catch(() => ({}))) as TokenResponse;
    if (response.status >= 400 && response.status < 500) {
      // A concurrent refresh elsewhere may have used this refresh token first: its result is in storage.
      const again = await this.loadFresh(shop);
      if (again?.accessToken && again.refreshToken !== stored.refreshToken && !this.expiresSoon(again)) return again;
      const reason = [body.error, body.error_description].filter((v) => typeof v === "string" && v).join(": ");
      throw refused(
        shop,
        `Shopify answered HTTP ${response.status}${reason ? ` (${reason})` : ""}`,
        response.status,
        typeof body.error === "string" ? body.error : undefined,
      );
    }
    if (!response.ok || typeof body.access_token !== "string" || !body.access_token) {
      throw new OfflineTokenError("REFRESH_FAILED", `${shop}: the access token refresh failed (HTTP ${response.status}); the job retries`, {
        shop,
        status: response.status,
      });
    }
    const at = this.now();
    const seconds = (v: unknown) => (typeof v === "number" && v > 0 ? new Date(at + v * 1000) : undefined);
    const session = new Session({
      id: stored.id,
      shop,
      state: stored.state,
      isOnline: false,
      accessToken: body.access_token,
      scope: typeof body.scope === "string" ? body.scope : stored.scope,
      expires: seconds(body.expires_in),
      refreshToken: typeof body.refresh_token === "string" && body.refresh_token ? body.refresh_token : stored.refreshToken,
      refreshTokenExpires: seconds(body.refresh_token_expires_in) ?? stored.refreshTokenExpires,
    });
    // Stored before use: Shopify keeps the old refresh token usable until the new one is used, so a failed write
    // here leaves the stored pair valid for the next attempt.
    await this.opts.storage.storeSession(session);
    return session;
  }

  private loadFresh(shop: string): Promise<Session | undefined> {
    const id = offlineSessionId(shop);
    return this.opts.storage.loadFresh ? this.opts.storage.loadFresh(id) : this.opts.storage.loadSession(id);
  }
}

function noSession(shop: string): OfflineTokenError {
  return new OfflineTokenError("NO_SESSION", `${shop}: no offline session (the app is not installed, or was uninstalled)`, { shop });
}

function refused(shop: string, why: string, status?: number, error?: string): OfflineTokenError {
  return new OfflineTokenError(
    "REFRESH_REFUSED",
    `${shop}: Shopify refused to refresh the offline access token: ${why}. Jobs for this shop retry and then stop; open Tierline once from the shop's Shopify admin to issue a new token.`,
    { shop, status, error },
  );
}

/** Whether Shopify refused the access token: a 401 Response, or the library's HttpResponseError for one. */
function unauthorized(outcome: unknown): boolean {
  if (outcome instanceof Response) return outcome.status === 401;
  return (outcome as { response?: { code?: unknown } })?.response?.code === 401;
}

/**
 * An Admin GraphQL client for background work: each call uses a token that is not about to expire, and a call that
 * Shopify refuses with 401 is sent once more with the token another process stored meanwhile (a reinstall, a refresh
 * elsewhere), else with a refreshed one. A refused token without a refresh token keeps its 401. `clientFor` returns
 * the client for the stored session (production: `unauthenticated.admin(shop).admin`).
 */
export function offlineAdminClient(
  tokens: OfflineTokens,
  shop: string,
  clientFor: (session: Session) => Promise<AdminGraphqlClient>,
): AdminGraphqlClient {
  return {
    async graphql(query, options) {
      const session = await tokens.current(shop);
      let refused: { error: unknown } | { response: Response };
      try {
        const response = await (await clientFor(session)).graphql(query, options);
        if (!unauthorized(response)) return response;
        refused = { response };
      } catch (error) {
        if (!unauthorized(error)) throw error;
        refused = { error };
      }
      const token = session.accessToken ?? "";
      const replaced = (await tokens.storedNewer(shop, token)) ?? (session.refreshToken ? await tokens.replace(shop, token) : null);
      if (replaced) return (await clientFor(replaced)).graphql(query, options);
      if ("error" in refused) throw refused.error;
      return refused.response;
    },
  };
}
