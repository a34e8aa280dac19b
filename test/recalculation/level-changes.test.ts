import { describe, expect, it } from "vitest";
import type { LevelChange } from "~/domain";
import { levelChangeRows, levelChangeWrites, type LevelChangeData, type StoredLevelChange } from "~/services/recalculation/level-changes";

/** The member's level changes: rows from the engine's changes, and the audit trail's writes (pure: no database). */

const T1 = new Date("2026-03-01T00:00:00Z");
const T2 = new Date("2026-04-01T00:00:00Z");
const change = (at: Date, from: string | null, to: string | null, over: Partial<LevelChange> = {}): LevelChange =>
  ({
    at: at.getTime(),
    from,
    to,
    fromName: null,
    toName: null,
    cause: "upgrade",
    status: "active",
    levelExpiresAt: null,
    reason: { kind: "test" },
    ...over,
  }) as unknown as LevelChange;
const row = (at: Date, from: string | null, to: string, over: Partial<LevelChangeData> = {}): LevelChangeData => ({
  at,
  fromLevelId: from,
  toLevelId: to,
  cause: "upgrade",
  status: "active",
  levelExpiresAt: null,
  reasonJson: '{"kind":"test"}',
  ...over,
});
const stored = (id: string, r: LevelChangeData, retractedAt: Date | null = null): StoredLevelChange => ({ id, retractedAt, ...r });

describe("levelChangeRows", () => {
  it.each([
    {
      name: "one row per change",
      changes: [change(T1, null, "silver"), change(T2, "silver", "gold")],
      expected: ["silver@T1 from -", "gold@T2 from silver"],
    },
    { name: "no level is stored as an empty level id", changes: [change(T2, "silver", null, { cause: "expiry" })], expected: ["@T2 from silver"] },
    {
      name: "two steps to one level at one instant: the last one is kept",
      changes: [change(T2, "gold", "gold", { cause: "expiry", status: "grace" }), change(T2, "gold", "gold", { cause: "renewal" })],
      expected: ["gold@T2 from gold renewal"],
    },
  ])("$name", ({ changes, expected }) => {
    const label = (r: LevelChangeData) =>
      `${r.toLevelId}@${r.at.getTime() === T1.getTime() ? "T1" : "T2"} from ${r.fromLevelId ?? "-"}${r.cause === "upgrade" || r.cause === "expiry" ? "" : ` ${r.cause}`}`;
    expect(levelChangeRows(changes).map(label)).toEqual(expected);
  });
});

describe("levelChangeWrites", () => {
  const silver = row(T1, null, "silver");
  const gold = row(T2, "silver", "gold");
  it.each([
    {
      name: "nothing stored: every change is new",
      stored: [],
      target: [silver, gold],
      expected: { changes: 2, retract: [], restore: [], rewrite: [] },
    },
    {
      name: "all stored: nothing to write",
      stored: [stored("c1", silver), stored("c2", gold)],
      target: [silver, gold],
      expected: { changes: 0, retract: [], restore: [], rewrite: [] },
    },
    {
      name: "a change the replay no longer makes is retracted",
      stored: [stored("c1", silver), stored("c2", gold)],
      target: [silver],
      expected: { changes: 0, retract: ["c2"], restore: [], rewrite: [] },
    },
    {
      name: "an already retracted change stays as it is",
      stored: [stored("c1", silver), stored("c2", gold, T2)],
      target: [silver],
      expected: { changes: 0, retract: [], restore: [], rewrite: [] },
    },
    {
      name: "a retracted change made again is restored",
      stored: [stored("c1", silver), stored("c2", gold, T2)],
      target: [silver, gold],
      expected: { changes: 0, retract: [], restore: ["c2"], rewrite: [] },
    },
    {
      name: "same instant and level, another origin: brought up to date",
      stored: [stored("c2", row(T2, null, "gold"))],
      target: [gold],
      expected: { changes: 0, retract: [], restore: [], rewrite: ["c2"] },
    },
    {
      name: "another expiry date: brought up to date",
      stored: [stored("c2", gold)],
      target: [{ ...gold, levelExpiresAt: T2 }],
      expected: { changes: 0, retract: [], restore: [], rewrite: ["c2"] },
    },
    {
      name: "the same expiry date as another Date object: nothing to write",
      stored: [stored("c2", { ...gold, levelExpiresAt: new Date(T2) })],
      target: [{ ...gold, levelExpiresAt: new Date(T2) }],
      expected: { changes: 0, retract: [], restore: [], rewrite: [] },
    },
  ])("$name", ({ stored: s, target, expected }) => {
    const w = levelChangeWrites(s, target);
    expect({ changes: w.changes.length, retract: w.retract, restore: w.restore, rewrite: w.rewrite.map((r) => r.id) }).toEqual(expected);
  });
});
