import type { Db } from "~/db/client.server";
import { levelChangeText } from "~/services/admin/audit-trail";
import { memberName } from "~/services/admin/members.server";

/**
 * What the demo prints about members: each level change as the worker records it (the audit trail's own reason
 * text), and a table of members per level at the end.
 */

export interface LevelMove {
  id: string;
  member: string;
  from: string;
  to: string;
  direction: "up" | "down" | "same";
  reason: string;
  line: string;
}

async function levelNames(db: Db, shop: string): Promise<{ names: Map<string, string>; ranks: Map<string, number>; currency: string }> {
  const [levels, shopRow] = await Promise.all([
    db.level.findMany({ where: { shop }, orderBy: { rank: "asc" } }),
    db.shop.findUnique({ where: { domain: shop }, select: { currency: true } }),
  ]);
  return {
    names: new Map(levels.map((l) => [l.levelId, l.name])),
    ranks: new Map(levels.map((l) => [l.levelId, l.rank])),
    currency: shopRow?.currency ?? "USD",
  };
}

/**
 * Polls LevelChange rows recorded since `since` and hands each new one to `onMove` once, oldest first.
 * `flush()` reads whatever is left (call it after the worker has settled); `stop()` ends the polling.
 */
export function watchLevelMoves(db: Db, shop: string, since: Date, onMove: (move: LevelMove) => void, opts: { intervalMs?: number } = {}) {
  const seen = new Set<string>();
  const moves: LevelMove[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const poll = async () => {
    const [rows, { names, ranks, currency }] = await Promise.all([
      db.levelChange.findMany({
        where: { shop, createdAt: { gte: since }, retractedAt: null },
        orderBy: [{ createdAt: "asc" }, { at: "asc" }],
        include: { member: { select: { firstName: true, lastName: true, email: true, customerGid: true } } },
      }),
      levelNames(db, shop),
    ]);
    for (const row of rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      const from = row.fromLevelId ? (names.get(row.fromLevelId) ?? row.fromLevelId) : "no level";
      const to = row.toLevelId ? (names.get(row.toLevelId) ?? row.toLevelId) : "no level";
      const rank = (id: string | null) => (id ? (ranks.get(id) ?? 0) : 0);
      const delta = rank(row.toLevelId || null) - rank(row.fromLevelId);
      const member = memberName(row.member);
      const reason = levelChangeText(row, names, currency);
      const direction = delta > 0 ? "up" : delta < 0 ? "down" : "same";
      const arrow = direction === "up" ? "▲" : direction === "down" ? "▼" : "•";
      const move: LevelMove = { id: row.id, member, from, to, direction, reason, line: `${arrow} ${member}: ${from} → ${to} (${reason})` };
      moves.push(move);
      onMove(move);
    }
  };
  const tick = () => {
    if (stopped) return;
    running = poll()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? 300);
      });
  };
  tick();
  return {
    moves,
    async flush(): Promise<void> {
      await running;
      await poll();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export interface LevelCount {
  levelId: string | null;
  name: string;
  members: number;
}

/** Members per level, lowest level first, "No level" last. */
export async function membersPerLevel(db: Db, shop: string): Promise<LevelCount[]> {
  const [{ names }, groups] = await Promise.all([
    levelNames(db, shop),
    db.member.groupBy({ by: ["levelId"], where: { shop, deletedAt: null }, _count: { _all: true } }),
  ]);
  const count = new Map(groups.map((g) => [g.levelId, g._count._all]));
  return [
    ...[...names].map(([levelId, name]) => ({ levelId, name, members: count.get(levelId) ?? 0 })),
    { levelId: null, name: "No level", members: count.get(null) ?? 0 },
  ];
}

/** A small text table: left-aligned first column, the others right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...cells.slice(1).map(line)];
}
