import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

/**
 * A session storage that remembers loaded sessions for a short time. `authenticate.webhook` loads the shop's offline
 * session on every delivery (for an Admin client the inbox never uses); at hundreds of deliveries a second that read
 * was a large share of each acknowledgement. Writes and deletes through this process drop the entry at once; a change
 * made by another process is seen within `ttlMs`.
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
