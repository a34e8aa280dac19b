import fs from "node:fs";
import path from "node:path";
import { Drop, Liquid, Tag, TagToken, type Context, type Emitter, type TopLevelToken } from "liquidjs";
import { createTranslator, type MessageTree } from "~/shared/member-messages";
import { contrastRatio, formatDate } from "~/shared/member-view";
import { escapeHtml } from "../html";

/**
 * Shopify's storefront Liquid, as far as the Tierline theme app extension uses it, on liquidjs (the registry's
 * Liquid engine). Used by the theme tests (test/theme/**) and the local storefront page of `npm run demo`
 * (./storefront-page.ts). What it mimics, and how:
 *
 * - Files: `{% render 'x' %}` resolves `snippets/x.liquid` of the extension; a block's `{% schema %}` renders
 *   nothing, and its settings' `default`s are what `block.settings` holds until a test overrides them, as when a
 *   merchant adds the block in the theme editor.
 * - Scope: Shopify's global objects (`shop`, `customer`, `cart`, `request`, `routes`) are liquidjs globals, so
 *   snippets rendered with `render` see them but not the caller's variables, as on Shopify. `block` is not global.
 * - Metafields: `shop.metafields['$app:tierline'].program` and `customer.metafields['$app:tierline'].<key>` are
 *   metafield objects: `.value` is the parsed JSON of a `json` metafield (nil when the stored string does not parse),
 *   printing the object prints the stored string, `.type` is "json". Only the `$app:` spelling resolves, as in a
 *   theme app extension (the resolved `app--<id>--tierline` namespace is not exposed here on purpose).
 * - Filters: unknown filters throw (`strictFilters`), like theme-check's UnknownFilter; variables are lenient (nil),
 *   like Shopify. Registered: `t`/`translate` (locales/en.default.json: `{{ name }}` interpolation, `one`/`other`
 *   chosen by `count`, parameters HTML-escaped unless the key ends in `_html`, a missing key renders
 *   "translation missing: en.<key>"), `money`, `money_without_trailing_zeros`, `money_without_currency` (an amount in
 *   hundredths, formatted in the presentment currency with Intl: "$1,000.00", "$1,000", "1,000.00"), `date` with
 *   `format: 'date'` (the locale's long date, "March 2, 2026", in UTC; strftime strings fall through to liquidjs),
 *   `color_contrast` (WCAG 2 ratio) and `color_brightness` (W3C perceived brightness, 0–255), `asset_url`,
 *   `stylesheet_tag`. Everything else is liquidjs's standard Liquid, which matches Shopify's for the filters used
 *   (`times`, `plus`, `round`, `append`, `join`, `escape`, `strip_html`, `slice`, `strip`).
 * - `block.shopify_attributes` is empty outside the theme editor and a `data-shopify-editor-block` attribute in it.
 */

export const THEME_EXTENSION_ROOT = path.resolve(import.meta.dirname, "../../../extensions/tierline-theme");

/** A metafield as Shopify stores it: its type and its value as a string. */
export interface MetafieldInput {
  type?: string;
  /** The stored string (JSON for `json` metafields); an object is serialized first. */
  value: unknown;
}

export interface StorefrontState {
  /** Shop-owned `$app:tierline` metafields by key (`program`). */
  shopMetafields?: Record<string, unknown>;
  shopName?: string;
  /** Shop currency (the `money` filters' currency unless `presentmentCurrency` says otherwise). */
  currency?: string;
  /** The currency the shopper browses in (`cart.currency.iso_code`); default: `currency`. */
  presentmentCurrency?: string;
  /** A logged-in customer, or null/undefined for a visitor. */
  customer?: { id: number | string; firstName?: string; metafields?: Record<string, unknown> } | null;
  /** True inside the theme editor (`request.design_mode`). */
  designMode?: boolean;
  locale?: string;
}

export interface RenderBlockOptions {
  /** The block file under blocks/, without extension (default "membership-levels"). */
  block?: string;
  /** Merchant settings over the schema defaults. */
  settings?: Record<string, unknown>;
  /** `block.id` (default "tierline-1"). */
  blockId?: string;
  /** URL prefix of asset_url (default "/storefront/assets"). */
  assetBase?: string;
}

/** Shopify metafield object: `.value` parsed, printing yields the stored string. */
class MetafieldDrop extends Drop {
  readonly type: string;
  readonly value: unknown;
  private readonly raw: string;
  constructor(input: unknown) {
    super();
    const m = isMetafieldInput(input) ? input : { type: "json", value: input };
    this.type = m.type ?? "json";
    this.raw = typeof m.value === "string" ? m.value : JSON.stringify(m.value);
    let parsed: unknown = this.raw;
    if (this.type === "json") {
      try {
        parsed = JSON.parse(this.raw);
      } catch {
        parsed = null;
      }
    }
    this.value = parsed;
  }
  override valueOf(): string {
    return this.raw;
  }
}

function isMetafieldInput(v: unknown): v is MetafieldInput {
  return typeof v === "object" && v !== null && "value" in v && Object.keys(v).every((k) => k === "value" || k === "type");
}

/** `owner.metafields['$app:tierline'].<key>`; unknown namespaces and keys are nil. */
class MetafieldsDrop extends Drop {
  constructor(private readonly byNamespace: Record<string, Record<string, MetafieldDrop>>) {
    super();
  }
  override liquidMethodMissing(namespace: string): unknown {
    return this.byNamespace[namespace];
  }
}

const APP_NAMESPACE = "$app:tierline";

function metafieldsOf(values: Record<string, unknown> | undefined): MetafieldsDrop {
  const fields: Record<string, MetafieldDrop> = {};
  for (const [key, v] of Object.entries(values ?? {})) if (v !== undefined && v !== null) fields[key] = new MetafieldDrop(v);
  return new MetafieldsDrop({ [APP_NAMESPACE]: fields });
}

/** `{% schema %}…{% endschema %}`: consumed at parse time, renders nothing. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    while (remainTokens.length > 0) {
      const next = remainTokens.shift()!;
      if (next instanceof TagToken && next.name === "endschema") return;
    }
    throw new Error(`{% schema %} without {% endschema %} in ${token.file ?? "template"}`);
  }
  *render(_ctx: Context, _emitter: Emitter): Generator<unknown, void, unknown> {}
}

/** liquidjs passes keyword arguments (`t: level: x`) as [name, value] pairs. */
function keywordArgs(args: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of args) if (Array.isArray(a) && a.length === 2 && typeof a[0] === "string") out[a[0]] = a[1];
  return out;
}

function hexToRgb(hex: string): [number, number, number] | null {
  const h = hex.trim().toLowerCase();
  if (!/^#([0-9a-f]{3}|[0-9a-f]{6})$/.test(h)) return null;
  const full = h.length === 4 ? `#${h[1]}${h[1]}${h[2]}${h[2]}${h[3]}${h[3]}` : h;
  return [parseInt(full.slice(1, 3), 16), parseInt(full.slice(3, 5), 16), parseInt(full.slice(5, 7), 16)];
}

export interface ShopifyLiquid {
  engine: Liquid;
  /** The extension's storefront translations (locales/en.default.json). */
  messages: MessageTree;
  /** The block's `{% schema %}` JSON. */
  schemaOf(block: string): { name: string; target: string; stylesheet?: string; settings: { id?: string; type: string; default?: unknown }[] };
  renderBlock(state: StorefrontState, opts?: RenderBlockOptions): Promise<string>;
}

export function createShopifyLiquid(root: string = THEME_EXTENSION_ROOT): ShopifyLiquid {
  const messages = JSON.parse(fs.readFileSync(path.join(root, "locales/en.default.json"), "utf8")) as MessageTree;
  const engine = new Liquid({
    root: [path.join(root, "snippets")],
    partials: [path.join(root, "snippets")],
    extname: ".liquid",
    strictFilters: true,
    strictVariables: false,
    cache: false,
  });
  engine.registerTag("schema", SchemaTag);

  const stateOf = (ctx: { context: Context }) => ctx.context.globals as unknown as ShopifyGlobals;

  const translate = function (this: { context: Context }, key: unknown, ...args: unknown[]): string {
    const g = stateOf(this);
    const k = String(key);
    const params = keywordArgs(args);
    const t = createTranslator(messages, g.request.locale.iso_code);
    if (lookupPath(messages, k) === undefined) return `translation missing: en.${k}`;
    const html = k.endsWith("_html");
    const values: Record<string, string | number> = {};
    for (const [name, v] of Object.entries(params)) {
      const s = v === null || v === undefined ? "" : String(v);
      values[name] = name === "count" && typeof v !== "string" ? Number(v) : html ? s : escapeHtml(s);
    }
    if (typeof params.count === "string") values.count = Number(params.count);
    return t(k, values);
  };
  engine.registerFilter("t", translate);
  engine.registerFilter("translate", translate);

  const moneyFormatter = (g: ShopifyGlobals, opts: { trimZeros?: boolean; symbol: boolean }) => (hundredths: unknown) => {
    const amount = Number(hundredths) / 100;
    if (!Number.isFinite(amount)) return "";
    const whole = Number.isInteger(amount);
    const digits =
      opts.trimZeros && whole ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
    const locale = g.request.locale.iso_code;
    return opts.symbol
      ? new Intl.NumberFormat(locale, { style: "currency", currency: g.cart.currency.iso_code, ...digits }).format(amount)
      : new Intl.NumberFormat(locale, digits).format(amount);
  };
  engine.registerFilter("money", function (this: { context: Context }, v: unknown) {
    return moneyFormatter(stateOf(this), { symbol: true })(v);
  });
  engine.registerFilter("money_without_trailing_zeros", function (this: { context: Context }, v: unknown) {
    return moneyFormatter(stateOf(this), { symbol: true, trimZeros: true })(v);
  });
  engine.registerFilter("money_without_currency", function (this: { context: Context }, v: unknown) {
    return moneyFormatter(stateOf(this), { symbol: false })(v);
  });

  const standardDate = engine.filters.date;
  engine.registerFilter("date", function (this: { context: Context }, v: unknown, ...args: unknown[]) {
    const named = keywordArgs(args);
    if (named.format !== undefined) {
      if (named.format !== "date") throw new Error(`date format "${String(named.format)}" is not mimicked`);
      if (typeof v !== "string" || !Number.isFinite(Date.parse(v))) return v;
      return formatDate(v, { locale: stateOf(this).request.locale.iso_code, timeZone: "UTC" });
    }
    return (standardDate as (this: unknown, ...a: unknown[]) => unknown).call(this, v, ...args);
  });

  engine.registerFilter("color_contrast", (a: unknown, b: unknown) => {
    if (!hexToRgb(String(a)) || !hexToRgb(String(b))) return 0;
    return Math.round(contrastRatio(String(a).toLowerCase(), String(b).toLowerCase()) * 10) / 10;
  });
  engine.registerFilter("color_brightness", (a: unknown) => {
    const rgb = hexToRgb(String(a));
    if (!rgb) return 0;
    return Math.round(((rgb[0] * 299 + rgb[1] * 587 + rgb[2] * 114) / 1000) * 10) / 10;
  });
  engine.registerFilter("asset_url", function (this: { context: Context }, name: unknown) {
    return `${stateOf(this).assetBase}/${String(name)}`;
  });
  engine.registerFilter(
    "stylesheet_tag",
    (url: unknown) => `<link href="${escapeHtml(String(url))}" rel="stylesheet" type="text/css" media="all" />`,
  );

  const schemaOf: ShopifyLiquid["schemaOf"] = (block) => {
    const source = fs.readFileSync(path.join(root, "blocks", `${block}.liquid`), "utf8");
    const match = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(source);
    if (!match) throw new Error(`blocks/${block}.liquid has no {% schema %}`);
    return JSON.parse(match[1]);
  };

  return {
    engine,
    messages,
    schemaOf,
    async renderBlock(state, opts = {}) {
      const block = opts.block ?? "membership-levels";
      const file = path.join(root, "blocks", `${block}.liquid`);
      const defaults: Record<string, unknown> = {};
      for (const s of schemaOf(block).settings) if (s.id) defaults[s.id] = s.default ?? (s.type === "checkbox" ? false : null);
      const settings = { ...defaults, ...opts.settings };
      const blockId = opts.blockId ?? "tierline-1";
      const globals = shopifyGlobals(state, opts.assetBase ?? "/storefront/assets");
      const template = engine.parse(fs.readFileSync(file, "utf8"), file);
      const html = await engine.render(
        template,
        {
          block: {
            id: blockId,
            type: `shopify://apps/tierline/blocks/${block}`,
            settings,
            shopify_attributes: state.designMode ? `data-shopify-editor-block="${blockId}"` : "",
          },
        },
        { globals: globals as unknown as Record<string, unknown> },
      );
      return html;
    },
  };
}

interface ShopifyGlobals {
  shop: { name: string; currency: string; metafields: MetafieldsDrop };
  customer: { id: number | string; first_name: string; metafields: MetafieldsDrop } | null;
  cart: { currency: { iso_code: string } };
  request: { design_mode: boolean; locale: { iso_code: string } };
  routes: { account_login_url: string; account_url: string; root_url: string };
  assetBase: string;
}

function shopifyGlobals(state: StorefrontState, assetBase: string): ShopifyGlobals {
  const currency = state.currency ?? "USD";
  return {
    shop: { name: state.shopName ?? "Tierline demo", currency, metafields: metafieldsOf(state.shopMetafields) },
    customer: state.customer
      ? { id: state.customer.id, first_name: state.customer.firstName ?? "", metafields: metafieldsOf(state.customer.metafields) }
      : null,
    cart: { currency: { iso_code: state.presentmentCurrency ?? currency } },
    request: { design_mode: state.designMode === true, locale: { iso_code: state.locale ?? "en" } },
    routes: { account_login_url: "/account/login", account_url: "/account", root_url: "/" },
    assetBase,
  };
}

function lookupPath(tree: MessageTree, key: string): unknown {
  let node: unknown = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null || !Object.prototype.hasOwnProperty.call(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
