/**
 * Small hand-written checks of JSON values, for the contract readers (./tier-metafield.ts) and the view-models.
 * No zod and no regex: the discount Function and the UI extensions bundle them.
 */

const MAX_ID = 64;
const MAX_TEXT = 255;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Metafield values arrive as JSON strings from some APIs and parsed from others. */
export function asDocument(json: unknown): Record<string, unknown> | null {
  let v = json;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return isPlainObject(v) ? v : null;
}

export function isId(v: unknown): v is string {
  return typeof v === "string" && v.length > 0 && v.length <= MAX_ID;
}

export function isText(v: unknown): v is string {
  return typeof v === "string" && v.length > 0 && v.length <= MAX_TEXT;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isCurrencyCode(v: unknown): v is string {
  return typeof v === "string" && v.length === 3 && isUpper(v.charCodeAt(0)) && isUpper(v.charCodeAt(1)) && isUpper(v.charCodeAt(2));
}

export function isCountryCode(v: unknown): v is string {
  return typeof v === "string" && v.length === 2 && isUpper(v.charCodeAt(0)) && isUpper(v.charCodeAt(1));
}

/** "120", "120.5", "1200.00"; with `signed`, also "-3.00". No exponents, grouping, or empty parts. */
export function isDecimal(v: unknown, signed: boolean): v is string {
  if (typeof v !== "string" || v.length === 0 || v.length > 24) return false;
  let i = 0;
  if (signed && v.charCodeAt(0) === 45 /* - */) i = 1;
  let whole = 0;
  let frac = -1;
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 46 /* . */) {
      if (frac !== -1 || whole === 0) return false;
      frac = 0;
    } else if (isDigit(c)) {
      if (frac === -1) whole++;
      else frac++;
    } else {
      return false;
    }
  }
  return whole > 0 && frac !== 0;
}

/** "2026-03-02T10:00:00Z", with optional fraction and a "Z" or "+hh:mm" zone, that is also a real date. */
export function isInstant(v: unknown): v is string {
  if (typeof v !== "string" || v.length < 20 || v.length > 35) return false;
  // YYYY-MM-DDTHH:MM:SS
  const shape = "dddd-dd-ddTdd:dd:dd";
  for (let i = 0; i < shape.length; i++) {
    const c = v.charCodeAt(i);
    if (shape[i] === "d" ? !isDigit(c) : v[i] !== shape[i]) return false;
  }
  let i = shape.length;
  if (v[i] === ".") {
    i++;
    const start = i;
    while (i < v.length && isDigit(v.charCodeAt(i))) i++;
    if (i === start) return false;
  }
  const zone = v.slice(i);
  if (zone !== "Z") {
    if (zone.length !== 6 || (zone[0] !== "+" && zone[0] !== "-") || zone[3] !== ":") return false;
    if (!isDigit(zone.charCodeAt(1)) || !isDigit(zone.charCodeAt(2)) || !isDigit(zone.charCodeAt(4)) || !isDigit(zone.charCodeAt(5))) return false;
  }
  const t = Date.parse(v);
  if (!Number.isFinite(t)) return false;
  // Date.parse rolls "02-30" over to March; a real date keeps its own day.
  const month = Number(v.slice(5, 7));
  const day = Number(v.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(v.slice(0, 4)), month);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** "#rgb" or "#rrggbb" (lower-cased), else `fallback`: a colour from a metafield must never break a style. */
export function safeHexColour(v: unknown, fallback: string): string {
  if (typeof v !== "string" || (v.length !== 4 && v.length !== 7) || v[0] !== "#") return fallback;
  for (let i = 1; i < v.length; i++) if (!isHexDigit(v.charCodeAt(i))) return fallback;
  return v.toLowerCase();
}

/**
 * JSON with object keys sorted at every depth and undefined members left out: equal values give equal text, for
 * hashes and for comparing a document with what its reader makes of it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * Whether two values have the same canonicalJson, without building either text: what the contract check of every
 * metafield document (app/shopify/types.ts) asks once per document of every member synced.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  const aObject = a !== null && typeof a === "object";
  const bObject = b !== null && typeof b === "object";
  if (!aObject || !bObject) {
    if (aObject || bObject) return false;
    return a === b || (JSON.stringify(a) ?? "undefined") === (JSON.stringify(b) ?? "undefined");
  }
  const aArray = Array.isArray(a);
  if (aArray !== Array.isArray(b)) return false;
  if (aArray) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const key of Object.keys(x)) {
    const v = x[key];
    if (v === undefined) continue;
    defined++;
    if (!Object.prototype.hasOwnProperty.call(y, key) || !sameJson(v, y[key])) return false;
  }
  for (const key of Object.keys(y)) if (y[key] !== undefined) defined--;
  return defined === 0;
}
