import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { owedStates } from "~/jobs/sync-members.server";
import { withTagOwed } from "~/services/member-sync-records.server";
import { createTestDb, type TestDb } from "../support/db";

/**
 * Which members a sync run takes when more are owed than it takes: the longest owed first, as far as the row tells
 * (since the last sync, or for a member never synced since the last change), members Shopify refused after the rest,
 * and members owed only a tier tag in the places left. Under a burst of new customers a member synced once and owed
 * again must not wait behind every new customer (bench:webhooks had them about 38 s late).
 */

const SHOP = "owed-order.myshopify.com";
const at = (hhmm: string) => new Date(`2026-06-01T${hhmm}:00Z`);
let t: TestDb;

const members: { name: string; pendingHash: string; syncedHash: string | null; lastSyncedAt: Date | null; updatedAt: Date; failures?: number }[] = [
  { name: "synced at 10:00, changed at 10:30", pendingHash: "b", syncedHash: "a", lastSyncedAt: at("10:00"), updatedAt: at("10:30") },
  { name: "never synced, changed at 10:10", pendingHash: "x", syncedHash: null, lastSyncedAt: null, updatedAt: at("10:10") },
  { name: "never synced, changed at 10:40", pendingHash: "y", syncedHash: null, lastSyncedAt: null, updatedAt: at("10:40") },
  {
    name: "refused once, never synced, changed at 09:00",
    pendingHash: "z",
    syncedHash: null,
    lastSyncedAt: null,
    updatedAt: at("09:00"),
    failures: 1,
  },
  {
    name: "owed only its tier tag, synced at 09:00",
    pendingHash: "c",
    syncedHash: withTagOwed("c"),
    lastSyncedAt: at("09:00"),
    updatedAt: at("09:00"),
  },
  { name: "in sync", pendingHash: "d", syncedHash: "d", lastSyncedAt: at("08:00"), updatedAt: at("08:00") },
];

beforeAll(async () => {
  t = await createTestDb();
  for (const [i, m] of members.entries()) {
    await t.db.syncState.create({
      data: {
        shop: SHOP,
        subject: `gid://shopify/Customer/${i + 1}`,
        pendingHash: m.pendingHash,
        syncedHash: m.syncedHash,
        lastSyncedAt: m.lastSyncedAt,
        failures: m.failures ?? 0,
        updatedAt: m.updatedAt,
      },
    });
  }
});
afterAll(async () => t?.cleanup());

describe("the members a sync run takes", () => {
  it.each([
    { take: 1, taken: ["synced at 10:00, changed at 10:30"] },
    { take: 2, taken: ["synced at 10:00, changed at 10:30", "never synced, changed at 10:10"] },
    {
      take: 4,
      taken: [
        "synced at 10:00, changed at 10:30",
        "never synced, changed at 10:10",
        "never synced, changed at 10:40",
        "refused once, never synced, changed at 09:00",
      ],
    },
    {
      take: 10,
      taken: [
        "owed only its tier tag, synced at 09:00",
        "synced at 10:00, changed at 10:30",
        "never synced, changed at 10:10",
        "never synced, changed at 10:40",
        "refused once, never synced, changed at 09:00",
      ],
    },
  ])("taking $take", async ({ take, taken }) => {
    const states = await owedStates(t.db, SHOP, take);
    expect(states.map((s) => members[Number(s.subject.split("/").pop()) - 1].name)).toEqual(taken);
  });
});
