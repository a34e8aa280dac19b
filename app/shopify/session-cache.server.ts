import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

/**
 * A session storage that remembers loaded sessions for a short time: the worker's Admin client reads the shop's
 * offline session before every call (app/shopify/offline-token.server.ts). Writes and deletes through this process
 * drop the entry at once; a change made by another process is seen within `ttlMs`, or at once through `loadFresh`.
 * Webhook acknowledgements load no session at all (authenticateWebhook checks the signature itself).
 */
export class CachedSessionStorage implements SessionStorage {
  private readonly cache = new Map<string, { session: Session | undefined; until: number }>();

  constructor(
    private readonly inner: SessionStorage,
    private readonly ttlMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  async loadSession(id: string): Promise<Session | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.until > this.now()) return hit.session;
    return this.loadFresh(id);
  }

  /** Reads the stored session past the cache (and caches it): a refresh by another process is seen at once. */
  async loadFresh(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(id);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { session, until: this.now() + this.ttlMs });
    return session;
  }

  async storeSession(session: Session): Promise<boolean> {
    this.cache.delete(session.id);
    return this.inner.storeSession(session);
  }

  async deleteSession(id: string): Promise<boolean> {
    this.cache.delete(id);
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.cache.delete(id);
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    // Uninstall and redaction paths delete by these ids: forget every cached session of the shop first.
    for (const [id, entry] of this.cache) if (id.includes(shop) || entry.session?.shop === shop) this.cache.delete(id);
    return this.inner.findSessionsByShop(shop);
  }
}
