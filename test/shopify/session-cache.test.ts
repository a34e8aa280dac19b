import { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { CachedSessionStorage } from "~/shopify/session-cache.server";

/** An in-memory storage that counts loads, standing in for PrismaSessionStorage. */
function countingStorage() {
  const rows = new Map<string, Session>();
  const calls = { load: 0 };
  return {
    calls,
    rows,
    storage: {
      loadSession: async (id: string) => (calls.load++, rows.get(id)),
      storeSession: async (s: Session) => (rows.set(s.id, s), true),
      deleteSession: async (id: string) => rows.delete(id),
      deleteSessions: async (ids: string[]) => (ids.forEach((id) => rows.delete(id)), true),
      findSessionsByShop: async (shop: string) => [...rows.values()].filter((s) => s.shop === shop),
    },
  };
}

const SHOP = "cache.myshopify.com";
const offline = (token: string) => new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "s", isOnline: false, accessToken: token });

describe("CachedSessionStorage", () => {
  it.each([
    ["a second load within the TTL", (c: CachedSessionStorage) => c.loadSession(`offline_${SHOP}`), 500, 1, "t1"],
    ["a load after the TTL", (c: CachedSessionStorage) => c.loadSession(`offline_${SHOP}`), 2_500, 2, "t1"],
    [
      "a load after storeSession in this process",
      async (c: CachedSessionStorage) => (await c.storeSession(offline("t2")), c.loadSession(`offline_${SHOP}`)),
      500,
      2,
      "t2",
    ],
    [
      "a load after deleteSession",
      async (c: CachedSessionStorage) => (await c.deleteSession(`offline_${SHOP}`), c.loadSession(`offline_${SHOP}`)),
      500,
      2,
      undefined,
    ],
    [
      "a load after deleteSessions",
      async (c: CachedSessionStorage) => (await c.deleteSessions([`offline_${SHOP}`]), c.loadSession(`offline_${SHOP}`)),
      500,
      2,
      undefined,
    ],
  ])("%s", async (_case, act, laterMs, expectedLoads, expectedToken) => {
    const inner = countingStorage();
    inner.rows.set(`offline_${SHOP}`, offline("t1"));
    let now = 1_000_000;
    const cache = new CachedSessionStorage(inner.storage, 2_000, () => now);
    expect((await cache.loadSession(`offline_${SHOP}`))?.accessToken).toBe("t1");
    now += laterMs;
    const session = await act(cache);
    expect(inner.calls.load).toBe(expectedLoads);
    expect(session?.accessToken).toBe(expectedToken);
  });
});
