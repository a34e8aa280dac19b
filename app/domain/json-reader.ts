import { describeValue } from "./money";
import type { ErrorFactory } from "./program.errors";

export type Obj = Record<string, unknown>;

/** Reads JSON fields, throwing the given error kind with the field's path and a stable code. */
export class Reader {
  constructor(readonly fail: ErrorFactory) {}

  obj(v: unknown, path: string): Obj {
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw this.fail("INVALID_TYPE", path, `must be an object, got ${describeValue(v)}`);
    return v as Obj;
  }
  arr(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) throw this.fail("INVALID_TYPE", path, `must be an array, got ${describeValue(v)}`);
    return v;
  }
  bool(v: unknown, path: string, dflt: boolean): boolean {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "boolean") throw this.fail("INVALID_TYPE", path, `must be true or false, got ${describeValue(v)}`);
    return v;
  }
  str(v: unknown, path: string): string {
    if (typeof v === "number" && Number.isFinite(v)) return String(v);
    if (typeof v !== "string" || v === "")
      throw this.fail(v === undefined ? "MISSING_FIELD" : "INVALID_TYPE", path, `must be a non-empty string, got ${describeValue(v)}`);
    return v;
  }
  strList(v: unknown, path: string): string[] {
    return this.arr(v, path).map((x, i) => this.str(x, `${path}[${i}]`));
  }
  /** An optional list: missing or null = []. */
  optList(v: unknown, path: string): unknown[] {
    return v === undefined || v === null ? [] : this.arr(v, path);
  }
  oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[], dflt: T): T {
    if (v === undefined) return dflt;
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      throw this.fail("INVALID_VALUE", path, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${describeValue(v)}`);
    }
    return v as T;
  }
  /** Non-negative integer (or > 0 with min 1). Numeric strings like "3" are accepted. */
  int(v: unknown, path: string, min = 0): number {
    const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
      throw this.fail("INVALID_NUMBER", path, `must be a whole number ${min === 0 ? "≥ 0" : `≥ ${min}`}, got ${describeValue(v)}`);
    }
    return n;
  }
  /** Non-negative finite number (points may be fractional). */
  num(v: unknown, path: string): number {
    const n = typeof v === "string" && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0)
      throw this.fail("INVALID_NUMBER", path, `must be a number ≥ 0, got ${describeValue(v)}`);
    return n;
  }
  known(o: Obj, path: string, keys: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) throw this.fail("UNKNOWN_FIELD", `${path}.${k}`, `is not a known field (expected one of ${keys.join(", ")})`);
    }
  }
}
