import { compileProgram, type CompiledProgram } from "./compiled-program";
import { MemberRun, type MemberRunState } from "./evaluate-member";
import type { MemberEvent } from "./member-events";
import { memberHistory, sortEvents } from "./member-history";
import type { MemberOutcome } from "./member-outcome";
import type { Program } from "./program";
import type { Instant } from "./time";

/**
 * Member state checkpoints (docs/checkpoints.md): a member's live run as plain data between two events of their
 * sorted history, so the next evaluation continues from it instead of folding (and replaying every published version
 * of the program over) the whole history again. The result is the same, to the last bit, as evaluateMember's full
 * fold: a checkpoint holds the run's own numbers (table cells, ledger sums), not values recomputed from them.
 *
 * A checkpoint names the events it has folded by count and by a fingerprint of their keys. It is used only when the
 * history's first `count` events still have that fingerprint: a fact inserted or changed before it (a late delivery,
 * a backdated order or adjustment, a version published in the past) makes it unusable, and the fold starts from an
 * older checkpoint that still fits, or from the first event.
 */

export interface MemberCheckpoint {
  v: 1;
  /** Events folded: the sorted history's events [0, count). */
  count: number;
  /** Time of the last folded event (null when none): the checkpoint's position. */
  lastAt: Instant | null;
  /** Fingerprint of the keys of events [0, count) (FoldOptions.eventKey). */
  hash: string;
  grantRewards: boolean;
  run: MemberRunState;
}

export interface FoldOptions {
  /** false for backfill/import: no one-time rewards. Default true. */
  grantRewards?: boolean;
  /** Checkpoints to start from: the one with the most events that still fits the history is used. */
  from?: readonly MemberCheckpoint[];
  /**
   * Also return a checkpoint after the last event at or before this instant (one a late delivery will not invalidate,
   * e.g. now minus the webhook retry window), or the newest given checkpoint at or before it when the fold starts later.
   */
  stableAt?: Instant | null;
  /**
   * An event's identity and content as a string; equal strings must mean the engine reads equal events. The default
   * is its JSON (a caller with fact rows can give a cheaper key, e.g. ids and a content hash).
   */
  eventKey?: EventKey;
  /**
   * Whether the checkpoints after this fold are worth keeping, given the events folded after the one it started from
   * (`resumedAt`: 0 when it started from the first event). When false, `latest` and `stable` are null and not built:
   * the caller keeps the checkpoints it has (they still fit). Default: always.
   */
  keep?: (resumedAt: number, events: readonly MemberEvent[]) => boolean;
}

export interface FoldResult {
  outcome: MemberOutcome;
  /** After the last event (before the final advance to asOf); null when FoldOptions.keep said not to keep any. */
  latest: MemberCheckpoint | null;
  /** See FoldOptions.stableAt; null when not asked for or when no event is old enough. */
  stable: MemberCheckpoint | null;
  /** Events skipped thanks to a checkpoint (0: folded from the first event). */
  resumedAt: number;
}

/**
 * A running fingerprint (two 32-bit FNV-1a variants) fed with strings and numbers, so a fold fingerprints its events
 * without building a string per event.
 */
export class Fingerprint {
  private static readonly f64 = new Float64Array(1);
  private static readonly u32 = new Uint32Array(Fingerprint.f64.buffer);
  a = 0x811c9dc5;
  b = 0x01000193;

  private word(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    this.b = Math.imul(this.b ^ c, 0x5bd1e995) ^ (this.b >>> 15);
  }

  str(s: string): this {
    for (let k = 0; k < s.length; k++) this.word(s.charCodeAt(k));
    this.word(0x1f);
    return this;
  }

  /** A number by its exact bits (null and undefined as NaN's neighbour -1). */
  num(n: number | null | undefined): this {
    Fingerprint.f64[0] = n ?? -1;
    this.word(Fingerprint.u32[0]);
    this.word(Fingerprint.u32[1]);
    return this;
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, "0") + (this.b >>> 0).toString(16).padStart(8, "0");
  }
}

/** Feeds one event's identity and content into a fingerprint (FoldOptions.eventKey). */
export type EventKey = (f: Fingerprint, e: MemberEvent) => void;

const programKeys = new WeakMap<Program, string>();

/** A program's fingerprint (of its JSON), computed once per program object. */
function programKey(program: Program): string {
  let key = programKeys.get(program);
  if (key === undefined) programKeys.set(program, (key = new Fingerprint().str(JSON.stringify(program)).hex()));
  return key;
}

/**
 * The default event key: the event's time, kind, ids and amounts (a program by the fingerprint of its JSON). It does not
 * read an order's lines: a caller whose facts can change in place under the same id (an order's lines resolved later)
 * adds the fact's revision (app/services/recalculation/checkpoints.ts adds the stored lines).
 */
export const defaultEventKey: EventKey = (f, e) => {
  f.num(e.at);
  switch (e.type) {
    case "orderPaid": {
      const o = e.order;
      f.str("p")
        .str(o.id)
        .num(o.total)
        .num(o.subtotal)
        .num(o.shipping)
        .num(o.tax)
        .num(o.lines.length)
        .str(o.channel ?? "")
        .num(o.hasDiscountCode ? 1 : 0);
      return;
    }
    case "refund":
      f.str("r").str(e.orderId).str(e.refund.id).num(e.refund.amount).num(e.refund.lines.length);
      return;
    case "orderCancelled":
      f.str("c").str(e.orderId);
      return;
    case "manualAssign":
      f.str("m")
        .str(e.level ?? "")
        .num(e.level === null ? 0 : 1)
        .num(e.lock ? 1 : 0)
        .num(e.rewards === false ? 0 : 1);
      return;
    case "pointsAdjust":
      f.str("a").str(e.key).num(e.points).str(e.note);
      return;
    case "publishProgram":
      f.str("v").str(programKey(e.program));
      return;
  }
};

/** Prefix fingerprints of a history: at(i) fingerprints events [0, i), formatted on demand. */
class Prefixes {
  private readonly raw: Uint32Array;
  readonly length: number;
  constructor(events: readonly MemberEvent[], key: EventKey) {
    const f = new Fingerprint();
    this.raw = new Uint32Array(2 * events.length + 2);
    this.raw[0] = f.a;
    this.raw[1] = f.b;
    for (let i = 0; i < events.length; i++) {
      key(f, events[i]);
      f.str("");
      this.raw[2 * i + 2] = f.a;
      this.raw[2 * i + 3] = f.b;
    }
    this.length = events.length + 1;
  }
  at(count: number): string {
    const a = this.raw[2 * count];
    const b = this.raw[2 * count + 1];
    return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
  }
}

/** The program in force after events [0, count): the last publication among them, or the initial program. */
function programAfter(initial: Program, events: readonly MemberEvent[], count: number): CompiledProgram {
  for (let i = count - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === "publishProgram") return compileProgram(e.program);
  }
  return compileProgram(initial);
}

/**
 * The checkpoint among `from` with the most events that fits the history (`hashes`) and is at most `max` events. Its
 * position and fingerprint are compared first, its version and reward mode only for the one chosen (a stored
 * checkpoint can be read lazily: only the one used is parsed).
 */
export function bestCheckpoint(
  from: readonly MemberCheckpoint[],
  hashes: { length: number; at(count: number): string },
  grantRewards: boolean,
  max = Infinity,
): MemberCheckpoint | null {
  const fitting = from.filter((c) => c.count < hashes.length && c.count <= max && hashes.at(c.count) === c.hash).sort((a, b) => b.count - a.count);
  return fitting.find((c) => c.v === 1 && c.grantRewards === grantRewards) ?? null;
}

/**
 * evaluateMember that starts from the newest checkpoint still fitting the history and returns checkpoints to keep.
 * The outcome equals evaluateMember(program, events, asOf, { grantRewards }) exactly (test/domain/checkpoint*.test.ts).
 * A publication after the checkpoint replays the history once under the new version (rule 7), never the older ones.
 */
export function foldFrom(program: Program, events: MemberEvent[], asOf: Instant, opts: FoldOptions = {}): FoldResult {
  const grantRewards = opts.grantRewards ?? true;
  const evs = sortEvents(events, asOf);
  const ctx = memberHistory(evs, grantRewards);
  const hashes = new Prefixes(evs, opts.eventKey ?? defaultEventKey);
  const from = opts.from ?? [];
  const start = bestCheckpoint(from, hashes, grantRewards);

  // The stable checkpoint's event count: events at or before stableAt.
  let stableCount = -1;
  if (opts.stableAt !== undefined && opts.stableAt !== null) {
    stableCount = 0;
    while (stableCount < evs.length && evs[stableCount].at <= opts.stableAt) stableCount++;
  }

  const checkpoint = (run: MemberRun, count: number): MemberCheckpoint => ({
    v: 1,
    count,
    lastAt: count > 0 ? evs[count - 1].at : null,
    hash: hashes.at(count),
    grantRewards,
    run: run.state(),
  });

  let run = start ? MemberRun.resume(programAfter(program, evs, start.count), ctx, start.run) : MemberRun.live(compileProgram(program), ctx);
  const first = start?.count ?? 0;
  let stable: MemberCheckpoint | null = null;
  if (stableCount >= 0 && stableCount < first) stable = bestCheckpoint(from, hashes, grantRewards, stableCount);
  const keep = opts.keep?.(first, evs) ?? true;
  for (let i = first; i < evs.length; i++) {
    if (keep && i === stableCount) stable = checkpoint(run, i);
    run.advance(evs[i].at, false);
    run = run.apply(i);
  }
  const latest = keep ? checkpoint(run, evs.length) : null;
  if (!keep) stable = null;
  if (stableCount === evs.length && stable === null) stable = latest;
  if (stable !== null && stable.count === 0) stable = null;
  run.advance(asOf, true);
  return { outcome: run.outcome(asOf), latest, stable, resumedAt: first };
}
