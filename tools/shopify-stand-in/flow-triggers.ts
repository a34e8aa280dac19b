import fs from "node:fs";
import path from "node:path";
import type { ResolverContext } from "./resolvers";
import type { ShopState } from "./store";

/**
 * Shopify Flow's side of `flowTriggerReceive`: the app's trigger extensions are the `flow_trigger` TOMLs under
 * extensions/ (as if deployed), read once. A handle that is not one of them, or a payload that does not match the
 * extension's fields (the customer reference as `customer_id`, each field's key and type), is answered with
 * userErrors and starts nothing, as Shopify does. Every accepted payload is kept in the shop's state
 * (`flowTriggersOf(shop)`) so tests and the demo see what a merchant's workflow would have received.
 */

export interface FlowTriggerRecord {
  handle: string;
  payload: Record<string, unknown>;
  receivedAt: string;
}

export interface FlowTriggerExtension {
  handle: string;
  name: string;
  /** Reference fields (`customer_reference` → payload key `customer_id`) and custom fields by key, with their types. */
  fields: { key: string; type: string }[];
}

type Args = Record<string, any>;

/** Shopify's limit on a trigger payload. */
export const FLOW_PAYLOAD_LIMIT_BYTES = 50_000;

const EXTENSIONS_DIR = path.resolve(import.meta.dirname, "../../extensions");

/** The flow_trigger extensions in `dir` (the repo's extensions/ by default), by handle. */
export function flowTriggerExtensions(dir = EXTENSIONS_DIR): Map<string, FlowTriggerExtension> {
  const out = new Map<string, FlowTriggerExtension>();
  for (const d of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const file = path.join(dir, d, "shopify.extension.toml");
    if (!fs.existsSync(file)) continue;
    const ext = parseFlowTriggerToml(fs.readFileSync(file, "utf8"));
    if (ext) out.set(ext.handle, ext);
  }
  return out;
}

/** A flow_trigger extension's TOML (the regular subset Tierline writes: quoted strings, one `key = value` a line); null for other types. */
export function parseFlowTriggerToml(toml: string): FlowTriggerExtension | null {
  const [head, ...fieldBlocks] = toml.split(/^\s*\[\[settings\.fields\]\]\s*$/m);
  const value = (block: string, name: string): string | null => {
    const m = new RegExp(`^\\s*${name}\\s*=\\s*("(?:[^"\\\\]|\\\\.)*")\\s*$`, "m").exec(block);
    return m ? (JSON.parse(m[1]) as string) : null;
  };
  if (value(head, "type") !== "flow_trigger") return null;
  const fields = fieldBlocks.map((block) => {
    const type = value(block, "type") ?? "";
    return { key: type.endsWith("_reference") ? `${type.slice(0, -"_reference".length)}_id` : (value(block, "key") ?? ""), type };
  });
  return { handle: value(head, "handle") ?? "", name: value(head, "name") ?? "", fields };
}

let deployed: Map<string, FlowTriggerExtension> | null = null;
const deployedTriggers = () => (deployed ??= flowTriggerExtensions());

/** Payloads the shop's Flow received, oldest first. */
export function flowTriggersOf(shop: ShopState): FlowTriggerRecord[] {
  return shop.flowTriggers ?? [];
}

/** Turns a trigger off for the shop (an app version without it): its sends are refused with userErrors. */
export function disableFlowTrigger(shop: ShopState, handle: string): void {
  (shop.flowTriggersDisabled ??= []).push(handle);
}

function payloadErrors(ext: FlowTriggerExtension, payload: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const declared = new Set(ext.fields.map((f) => f.key));
  for (const key of Object.keys(payload)) if (!declared.has(key)) errors.push(`Invalid field identifier '${key}'`);
  for (const f of ext.fields) {
    const v = payload[f.key];
    if (v === undefined || v === null) errors.push(`Missing required field '${f.key}'`);
    else if (f.type.endsWith("_reference") && !(Number.isSafeInteger(v) || (typeof v === "string" && /^\d+$/.test(v))))
      errors.push(`'${f.key}' must be a numeric ID`);
    else if (f.type === "number_decimal" && (typeof v !== "number" || !Number.isFinite(v))) errors.push(`'${f.key}' must be a number`);
    else if (f.type === "boolean" && typeof v !== "boolean") errors.push(`'${f.key}' must be a boolean`);
    else if (["single_line_text_field", "email", "url"].includes(f.type) && typeof v !== "string") errors.push(`'${f.key}' must be a string`);
  }
  return errors;
}

export function flowTriggerMutations(ctx: ResolverContext): Record<string, (args: Args) => unknown> {
  return {
    flowTriggerReceive: (args) => {
      const handle = typeof args.handle === "string" ? args.handle : null;
      const payload = args.payload ?? (typeof args.body === "string" ? JSON.parse(args.body) : null);
      const ext = handle ? deployedTriggers().get(handle) : undefined;
      if (!handle || !ext || (ctx.shop.flowTriggersDisabled ?? []).includes(handle))
        return {
          userErrors: [{ field: ["handle"], message: `Invalid handle '${handle ?? ""}': no Flow trigger with this handle is deployed for the app` }],
        };
      if (payload === null || typeof payload !== "object" || Array.isArray(payload))
        return { userErrors: [{ field: ["payload"], message: "Payload must be an object" }] };
      if (JSON.stringify(payload).length > FLOW_PAYLOAD_LIMIT_BYTES)
        return { userErrors: [{ field: ["payload"], message: `Payload exceeds the ${FLOW_PAYLOAD_LIMIT_BYTES} byte limit` }] };
      const errors = payloadErrors(ext, payload as Record<string, unknown>);
      if (errors.length) return { userErrors: errors.map((message) => ({ field: ["payload"], message })) };
      (ctx.shop.flowTriggers ??= []).push({
        handle,
        payload: payload as Record<string, unknown>,
        receivedAt: new Date(ctx.runtime.now()).toISOString(),
      });
      ctx.runtime.changed();
      return { userErrors: [] };
    },
  };
}

export interface FlowTriggerSummaryRow {
  handle: string;
  count: number;
  /** One payload of the trigger, in a line: "customer 501 · Silver → Gold · “Welcome to Gold, Ada!”". */
  example: string;
}

/** What the shop's Flow received, per trigger (the demo's summary prints it): how many payloads and the latest as an example. */
export function flowTriggerSummary(shop: ShopState): FlowTriggerSummaryRow[] {
  const byHandle = new Map<string, FlowTriggerRecord[]>();
  for (const r of flowTriggersOf(shop)) byHandle.set(r.handle, [...(byHandle.get(r.handle) ?? []), r]);
  return [...byHandle]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([handle, records]) => ({ handle, count: records.length, example: exampleLine(records.at(-1)!.payload) }));
}

function exampleLine(p: Record<string, unknown>): string {
  const parts = [`customer ${String(p.customer_id)}`];
  if ("Previous level name" in p) parts.push(`${String(p["Previous level name"])} → ${String(p["Level name"])}`);
  if (p["Reward value"]) parts.push(`${String(p["Reward value"])}${p["Reward code"] ? ` (${String(p["Reward code"])})` : ""}`);
  if ("Expires at" in p) parts.push(`${String(p.Points)} points expire ${String(p["Expires at"]).slice(0, 10)}`);
  if (p["Message subject"]) parts.push(`“${String(p["Message subject"])}”`);
  return parts.join(" · ");
}

/** The summary as text lines, for the demo: a header, then one line per trigger with its count and example. */
export function flowTriggerSummaryLines(shop: ShopState): string[] {
  const rows = flowTriggerSummary(shop);
  if (rows.length === 0) return ["Shopify Flow: no trigger payloads received."];
  const width = Math.max(...rows.map((r) => r.handle.length));
  const total = rows.reduce((s, r) => s + r.count, 0);
  return [
    `Shopify Flow received ${total} trigger payloads:`,
    ...rows.map((r) => `  ${r.handle.padEnd(width)}  ${String(r.count).padStart(4)}  e.g. ${r.example}`),
  ];
}
