/**
 * Shopper-facing texts of the member surfaces, as one nested dictionary in the shape Shopify's extension locale files
 * use (`{{name}}` placeholders, `one`/`other` plural forms). Each extension's `locales/en.default.json` carries these
 * keys verbatim (a test keeps them equal), so checkout and customer accounts translate through Shopify's own
 * `translate`, and every other caller (POS, the admin preview, tests) goes through `createTranslator`.
 */

export type Translate = (key: string, params?: Record<string, string | number>) => string;

export interface MessageTree {
  [key: string]: string | MessageTree;
}

export const MEMBER_MESSAGES_EN = {
  level: {
    badge: "{{level}} member",
    status: { active: "Active", grace: "Grace period", frozen: "Frozen" },
  },
  validity: {
    until: "Valid until {{date}}",
    since: "Member since {{date}}",
    grace: "Expired on {{date}}. Shop again soon to keep your level.",
    graceNoDate: "Your level is in its grace period. Shop again soon to keep it.",
    frozen: "Frozen since {{date}}. Your benefits are paused.",
    frozenNoDate: "Your level is frozen. Your benefits are paused.",
  },
  progress: {
    spendMore: "Spend {{amount}} more to reach {{level}}",
    reached: "You qualify for {{level}}. Your level updates shortly.",
    next: "Next level: {{level}}",
    top: "You've reached the top level",
    label: "Progress to {{level}}",
    /** One line per condition of the next level ("3 of 5 orders"); `window` is "" or " in the last 30 days". */
    line: {
      accumulatedSpend: "{{current}} of {{threshold}} spent{{window}}",
      accumulatedSpendScoped: "{{current}} of {{threshold}} spent on selected products{{window}}",
      singleOrder: "{{current}} of {{threshold}} in a single order{{window}}",
      singleOrderScoped: "{{current}} of {{threshold}} on selected products in a single order{{window}}",
      orderCount: { one: "{{current}} of {{threshold}} order{{window}}", other: "{{current}} of {{threshold}} orders{{window}}" },
      orderCountScoped: {
        one: "{{current}} of {{threshold}} order with selected products{{window}}",
        other: "{{current}} of {{threshold}} orders with selected products{{window}}",
      },
      itemCount: { one: "{{current}} of {{threshold}} item{{window}}", other: "{{current}} of {{threshold}} items{{window}}" },
      itemCountScoped: {
        one: "{{current}} of {{threshold}} selected item{{window}}",
        other: "{{current}} of {{threshold}} selected items{{window}}",
      },
      productPurchase: {
        one: "{{current}} of {{threshold}} product bought{{window}}",
        other: "{{current}} of {{threshold}} products bought{{window}}",
      },
      productPurchaseScoped: {
        one: "{{current}} of {{threshold}} selected product bought{{window}}",
        other: "{{current}} of {{threshold}} selected products bought{{window}}",
      },
      points: { one: "{{current}} of {{threshold}} point earned{{window}}", other: "{{current}} of {{threshold}} points earned{{window}}" },
    },
  },
  /** What a level takes, in the programme overview: one phrase per condition, joined per group. */
  requirement: {
    accumulatedSpend: "{{amount}} spent",
    accumulatedSpendScoped: "{{amount}} spent on selected products",
    singleOrder: "{{amount}} in a single order",
    singleOrderScoped: "{{amount}} on selected products in a single order",
    orderCount: { one: "{{formatted}} order", other: "{{formatted}} orders" },
    orderCountScoped: { one: "{{formatted}} order with selected products", other: "{{formatted}} orders with selected products" },
    itemCount: { one: "{{formatted}} item", other: "{{formatted}} items" },
    itemCountScoped: { one: "{{formatted}} selected item", other: "{{formatted}} selected items" },
    productPurchase: { one: "{{formatted}} product bought", other: "{{formatted}} products bought" },
    productPurchaseScoped: { one: "{{formatted}} selected product bought", other: "{{formatted}} selected products bought" },
    points: { one: "{{formatted}} point earned", other: "{{formatted}} points earned" },
    /** Conditions of one group: all must hold. */
    and: "{{first}} and {{next}}",
    /** A condition or group with its window: "5 orders in the last 30 days". */
    withWindow: "{{requirement}} {{window}}",
    window: {
      rolling: { one: "in the last day", other: "in the last {{formatted}} days" },
      calendarYear: "in a calendar year",
      sinceLastUpgrade: "since your last level change",
      fixed: "during the programme period",
    },
    /** Between two groups, when a surface lists them in one place: either group reaches the level. */
    or: "or",
    none: "By invitation only",
  },
  program: {
    validity: {
      permanent: "Yours for good once reached",
      days: { one: "Lasts {{formatted}} day once reached", other: "Lasts {{formatted}} days once reached" },
      years: { one: "Lasts {{formatted}} year once reached", other: "Lasts {{formatted}} years once reached" },
    },
    current: "Your level",
  },
  benefit: {
    discount: "{{value}} off every order",
    discountOver: "{{value}} off every order over {{minimum}}",
    freeShipping: "Free shipping",
    freeShippingTo: "Free shipping to {{countries}}",
    freeShippingOver: "Free shipping on orders over {{minimum}}",
    freeShippingToOver: "Free shipping to {{countries}} on orders over {{minimum}}",
    points: "{{multiplier}}× points",
    paused: "Your benefits are paused while your level is frozen.",
  },
  points: {
    balance: { one: "{{formatted}} point", other: "{{formatted}} points" },
    kind: {
      earn: "Points earned",
      refund: "Refund",
      cancel: "Order cancelled",
      upgrade: "Level reward",
      expire: "Points expired",
      adjust: "Adjustment",
    },
  },
  savings: {
    applied: "You saved {{amount}} as a {{level}} member",
  },

  guest: {
    title: "Members save more",
    body: "Log in to see your member level and savings.",
    action: "Log in",
  },
  noLevel: {
    body: "You're not a member yet.",
  },
} as const satisfies MessageTree;

/**
 * The rewards list's texts (./reward-view.ts): only the account member page shows rewards, so they live beside the
 * shared texts rather than in every extension's locale; the admin and Flow messages read them in English.
 */
export const REWARD_MESSAGES_EN = {
  reward: {
    heading: "Your rewards",
    kind: { welcome: "Welcome reward", birthday: "Birthday reward", redemption: "Points reward" },
    titleWithLevel: "{{kind}} · {{level}}",
    off: "{{value}} off",
    storeCredit: "{{value}} store credit",
    points: { one: "{{formatted}} point", other: "{{formatted}} points" },
    code: "Code",
    until: "Use by {{date}}",
    expired: "Expired on {{date}}",
  },
} as const satisfies MessageTree;

/**
 * A translate function over `messages` (falling back to English key by key), with `{{param}}` interpolation and
 * plural forms chosen by `params.count` through Intl.PluralRules. A missing key yields the key itself, as Shopify's
 * translate does, so a gap shows up in review instead of as an empty string.
 */
export function createTranslator(messages: MessageTree, locale: string): Translate {
  let plural: Intl.PluralRules;
  try {
    plural = new Intl.PluralRules(locale);
  } catch {
    plural = new Intl.PluralRules("en");
  }
  return (key, params = {}) => {
    let entry = lookup(messages, key) ?? lookup(MEMBER_MESSAGES_EN, key);
    if (entry !== null && typeof entry === "object") {
      const count = typeof params.count === "number" ? params.count : Number(params.count);
      const form = Number.isFinite(count) ? plural.select(count) : "other";
      entry = (entry[form] ?? entry.other ?? null) as string | MessageTree | null;
    }
    if (typeof entry !== "string") return key;
    return interpolate(entry, params);
  };
}

export function interpolate(template: string, params: Record<string, string | number>): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{{", i);
    if (open === -1) break;
    const close = template.indexOf("}}", open + 2);
    if (close === -1) break;
    const name = template.slice(open + 2, close).trim();
    out += template.slice(i, open) + (Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : template.slice(open, close + 2));
    i = close + 2;
  }
  return out + template.slice(i);
}

function lookup(tree: MessageTree, key: string): string | MessageTree | null {
  let node: string | MessageTree = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, part)) return null;
    node = node[part];
  }
  return node;
}

/** Every leaf key of a message tree ("progress.spendMore", "points.balance.one"), for the locale-file test. */
export function messageKeys(tree: MessageTree, prefix = ""): string[] {
  const keys: string[] = [];
  for (const k of Object.keys(tree)) {
    const v = tree[k];
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") keys.push(path);
    else keys.push(...messageKeys(v, path));
  }
  return keys;
}

/** The text at a leaf key, or null. */
export function messageAt(tree: MessageTree, key: string): string | null {
  const v = lookup(tree, key);
  return typeof v === "string" ? v : null;
}
