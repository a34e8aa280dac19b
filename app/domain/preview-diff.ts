import { compileProgram } from "./compiled-program";
import { simulate } from "./evaluate-member";
import type { MemberEvent } from "./member-events";
import type { Program } from "./program";
import type { Instant } from "./time";

export interface PreviewMember {
  id: string;
  events: MemberEvent[];
}

export interface PreviewMove {
  member: string;
  from: string | null;
  to: string | null;
}

export interface PreviewDiff {
  /** Keyed by the member's current level ("none" for no level). */
  perLevel: Record<string, { up: number; down: number; stay: number }>;
  moves: PreviewMove[];
  /** Members per level before and after ("none" for no level). */
  counts: { before: Record<string, number>; after: Record<string, number> };
}

/**
 * What publishing `draft` at `asOf` would do (rule 7), computed from each member's real history: the member's
 * state under the rules in force, then the full history replayed under the draft (locks and manual assignments
 * kept, points as earned). No ledger is kept unless some program measures points.
 */
export function previewDiff(current: Program, draft: Program, members: Iterable<PreviewMember>, asOf: Instant): PreviewDiff {
  const rankOf = (p: Program) => new Map(p.levels.map((l) => [l.id, l.rank]));
  const draftRanks = rankOf(draft);
  const currentRanks = rankOf(current);
  const perLevel: PreviewDiff["perLevel"] = {};
  const before: Record<string, number> = {};
  const after: Record<string, number> = {};
  const moves: PreviewMove[] = [];
  const draftCp = compileProgram(draft);
  const baseNeedsPoints = compileProgram(current).usesPoints || draftCp.usesPoints;

  for (const m of members) {
    let ledger = baseNeedsPoints;
    if (!ledger) for (const e of m.events) if (e.type === "publishProgram" && compileProgram(e.program).usesPoints) ledger = true;
    const now = simulate(current, m.events, asOf, { ledger, grantRewards: false });
    const from = now.cp.program.enabled ? (now.st.level?.id ?? null) : null;
    const next = now.publishReplay(draft, asOf);
    const to = draft.enabled ? (next.st.level?.id ?? null) : null;

    const key = from ?? "none";
    const row = (perLevel[key] ??= { up: 0, down: 0, stay: 0 });
    before[key] = (before[key] ?? 0) + 1;
    after[to ?? "none"] = (after[to ?? "none"] ?? 0) + 1;
    if (from === to) {
      row.stay++;
      continue;
    }
    // Compare by the draft's ranks (a level missing from the draft counts as the current rank).
    const rFrom = from === null ? -Infinity : (draftRanks.get(from) ?? currentRanks.get(from) ?? -Infinity);
    const rTo = to === null ? -Infinity : draftRanks.get(to)!;
    if (rTo > rFrom) row.up++;
    else row.down++;
    moves.push({ member: m.id, from, to });
  }
  return { perLevel, moves, counts: { before, after } };
}
