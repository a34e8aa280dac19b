import type { Member, SyncState } from "@prisma/client";
import { describe, expect, it } from "vitest";
import type { MemberPlan } from "~/services/recalculation/member-plan";
import { memberAfterWrite, memberFactWrites, memberRowWrite, recalculateResult, type StoredMember } from "~/services/recalculation/member-writes";
import { bareShop, memberStateAt, NOW } from "./fixtures";

/** A plan against what is stored: the member row, the sync state Shopify is owed (pure: time passed in). */

const state = memberStateAt("gold", new Date("2026-03-01T00:00:00Z"));
const plan = (over: Partial<MemberPlan> = {}): MemberPlan => ({
  customerGid: "c1",
  qualifies: true,
  data: state,
  ledger: [],
  changes: [],
  profile: null,
  ...over,
});
const member = (over: Partial<Member> = {}): Member => ({
  id: "m1",
  shop: "s",
  customerGid: "c1",
  email: null,
  firstName: null,
  lastName: null,
  phone: null,
  birthday: null,
  birthdaySource: null,
  birthdaySetAt: null,
  ...state,
  levelSince: new Date(state.levelSince!),
  evaluatedAt: new Date("2026-05-01T00:00:00Z"),
  deletedAt: null,
  redactedAt: null,
  createdAt: NOW,
  updatedAt: NOW,
  version: 3,
  ...over,
});
const stored = (m: Member | null, syncState: SyncState | null = null): StoredMember => ({ member: m, entries: [], changes: [], syncState });

describe("memberRowWrite", () => {
  it.each([
    { name: "not a member, and the plan does not make one", plan: plan({ qualifies: false }), member: null, expected: null },
    { name: "a new member", plan: plan(), member: null, expected: "create" },
    { name: "a member whose row agrees (dates compared by instant)", plan: plan(), member: member(), expected: "none" },
    {
      name: "a member who no longer qualifies keeps their row, brought up to date",
      plan: plan({ qualifies: false, data: { ...state, points: 0 } }),
      member: member(),
      expected: "update",
    },
    { name: "a new email", plan: plan({ profile: { email: "a@example.com" } }), member: member(), expected: "update" },
    { name: "the same email", plan: plan({ profile: { email: "a@example.com" } }), member: member({ email: "a@example.com" }), expected: "none" },
    {
      name: "an empty profile value never clears one",
      plan: plan({ profile: { email: "" } }),
      member: member({ email: "a@example.com" }),
      expected: "none",
    },
    {
      name: "a redacted member's profile is never filled again",
      plan: plan({ profile: { email: "a@example.com" } }),
      member: member({ redactedAt: NOW }),
      expected: "none",
    },
  ])("$name → $expected", ({ plan: p, member: m, expected }) => {
    expect(memberRowWrite(p, stored(m), NOW)?.kind ?? null).toBe(expected);
  });

  it("sets the state, the new profile values and when it was evaluated; the row after the write has a version more", () => {
    const was = stored(member());
    const write = memberRowWrite(plan({ profile: { email: "a@example.com", phone: "" }, data: { ...state, points: 20 } }), was, NOW)!;
    expect(write.data).toEqual({ email: "a@example.com", ...state, points: 20, evaluatedAt: NOW });
    expect(memberAfterWrite("s", plan(), was, write, "unused", NOW)).toMatchObject({ id: "m1", email: "a@example.com", points: 20, version: 4 });
    const created = memberAfterWrite("s", plan(), stored(null), { kind: "create", data: write.data }, "new-id", NOW);
    expect(created).toMatchObject({ id: "new-id", shop: "s", customerGid: "c1", version: 1, deletedAt: null });
  });
});

describe("memberFactWrites: the sync Shopify is owed", () => {
  const ctx = bareShop;
  const hash = memberFactWrites(ctx, plan(), stored(member()), member(), NOW).syncState!.pendingHash;
  const syncState = (pendingHash: string | null, syncedHash: string | null) =>
    ({ id: "st1", shop: "s", subject: "c1", pendingHash, syncedHash, failures: 2 }) as SyncState;
  it.each([
    { name: "never synced: a sync state is created, a sync owed", state: null, deleted: false, expected: { syncState: "create", owed: true } },
    { name: "this view already written: nothing", state: syncState(hash, hash), deleted: false, expected: { syncState: null, owed: false } },
    {
      name: "this view pending (a sync failed): still owed, state unchanged",
      state: syncState(hash, "old"),
      deleted: false,
      expected: { syncState: null, owed: true },
    },
    {
      name: "another view: the state points at it, a sync owed",
      state: syncState("old", "old"),
      deleted: false,
      expected: { syncState: "update", owed: true },
    },
    { name: "a deleted member is owed nothing", state: null, deleted: true, expected: { syncState: null, owed: false } },
  ])("$name", ({ state: s, deleted, expected }) => {
    const m = member(deleted ? { deletedAt: NOW } : {});
    const w = memberFactWrites(ctx, plan(), stored(m, s), m, NOW);
    expect({ syncState: w.syncState?.kind ?? null, owed: w.syncOwed }).toEqual(expected);
    expect(recalculateResult(plan(), m, { kind: "none" }, w)).toMatchObject({ outcome: "unchanged", memberId: "m1", syncOwed: expected.owed });
  });
});
