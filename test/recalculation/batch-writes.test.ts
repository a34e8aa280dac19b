import { describe, expect, it } from "vitest";
import { batchWrites } from "~/services/recalculation/batch-writes";
import type { MemberPlan } from "~/services/recalculation/member-plan";
import type { StoredMember } from "~/services/recalculation/member-writes";
import { bareShop, memberStateAt, NOW } from "./fixtures";

/** A batch's writes gathered per table: the one-member decisions, with new rows' ids given (pure). */

const ctx = bareShop;
const data = memberStateAt("silver", NOW);
const plan = (customerGid: string, qualifies: boolean): MemberPlan => ({
  customerGid,
  qualifies,
  data,
  ledger: qualifies ? [{ key: "earn:o1", kind: "earn", points: 10, at: NOW.getTime(), orderId: "o1" }] : [],
  changes: qualifies
    ? [{ at: NOW, fromLevelId: null, toLevelId: "silver", cause: "upgrade", status: "active", levelExpiresAt: null, reasonJson: "{}" }]
    : [],
  profile: null,
});
const nothingStored: StoredMember = { member: null, entries: [], changes: [], syncState: null };

describe("batchWrites", () => {
  it("a new member and a buyer who is not one: rows per table, ids from the generator, one result each in order", () => {
    let n = 0;
    const w = batchWrites(
      ctx,
      [plan("c1", true), plan("c2", false)],
      new Map([
        ["c1", nothingStored],
        ["c2", nothingStored],
      ]),
      NOW,
      () => `id${++n}`,
    );
    expect(w.createMembers.map((m) => [m.id, m.customerGid, m.levelId])).toEqual([["id1", "c1", "silver"]]);
    expect(w.entries.map((e) => [e.id, e.memberId, e.idempotencyKey])).toEqual([["id2", "id1", "id1:earn:o1"]]);
    expect(w.changes.map((c) => [c.id, c.memberId, c.toLevelId])).toEqual([["id3", "id1", "silver"]]);
    expect(w.createSyncStates.map((s) => [s.id, s.subject])).toEqual([["id4", "c1"]]);
    expect([w.updateMembers, w.retract, w.restore, w.rewrite, w.updateSyncStates]).toEqual([[], [], [], [], []]);
    expect(w.results.map((r) => [r.customerGid, r.outcome, r.memberId, r.newLedgerEntries, r.newLevelChanges, r.syncOwed])).toEqual([
      ["c1", "written", "id1", 1, 1, true],
      ["c2", "not-a-member", null, 0, 0, false],
    ]);
  });
});
