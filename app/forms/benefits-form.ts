import { z } from "zod";
import { FormValidationError, zodFieldErrors } from "./form-errors";
import { bool, decimal, int, money, optionalInt, optionalMoney, stringList, text } from "./form-fields";
import type { LevelJson, ProgramJson, ScopeJson } from "./level-form";

// The benefits a level gives. Two kinds live here, and they take effect differently:
// - shopper benefits (discount, free shipping, welcome and birthday rewards, custom privileges) change what checkout
//   does right away: saving them rewrites the discount Function's configuration;
// - points rules (earn rules, multiplier, upgrade points) are program rules the engine replays history with, so they
//   are saved on the draft and take effect when the draft is published, like every other rule.

const scopeSchema = z
  .object({
    productIds: stringList("Products"),
    collectionIds: stringList("Collections"),
    tags: stringList("Tags"),
    excludeProductIds: stringList("Excluded products"),
    excludeCollectionIds: stringList("Excluded collections"),
    excludeTags: stringList("Excluded tags"),
  })
  .transform((s): ScopeJson | null => {
    const out: ScopeJson = {};
    for (const [k, v] of Object.entries(s) as [keyof ScopeJson, string[]][]) if (v.length) out[k] = v;
    return Object.keys(out).length ? out : null;
  });

const discountValue = z
  .object({ type: z.enum(["percentage", "fixed"], { error: "Choose percentage or fixed amount" }), value: z.unknown() })
  .passthrough()
  .transform((d, ctx) => {
    if (d.type === "percentage") {
      const n =
        typeof d.value === "string" && /^\s*\d+(\.\d{1,2})?\s*$/.test(d.value) ? Number(d.value) : typeof d.value === "number" ? d.value : NaN;
      if (!(n > 0 && n <= 100)) {
        ctx.addIssue({ code: "custom", path: ["value"], message: "Percentage must be more than 0 and at most 100" });
        return z.NEVER;
      }
      return { type: "percentage" as const, value: String(n) };
    }
    const m = money("Amount").safeParse(d.value);
    if (!m.success || m.data === "0.00") {
      ctx.addIssue({ code: "custom", path: ["value"], message: "Amount must be more than 0, like 5.00" });
      return z.NEVER;
    }
    return { type: "fixed" as const, value: m.data };
  });

const percentExtra = z
  .unknown()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
    const n = typeof v === "string" && /^\s*\d+(\.\d{1,2})?\s*$/.test(v) ? Number(v) : typeof v === "number" ? v : NaN;
    if (!(n > 0 && n <= 100)) {
      ctx.addIssue({ code: "custom", message: "Extra discount on sale items must be a percentage above 0 and at most 100, or left empty" });
      return z.NEVER;
    }
    return String(n);
  });

const countries = z
  .unknown()
  .optional()
  .transform((v, ctx) => {
    const list = stringList("Countries").safeParse(v);
    if (!list.success) {
      ctx.addIssue({ code: "custom", message: "Countries must be two-letter codes like US, CA" });
      return z.NEVER;
    }
    const codes = list.data.map((c) => c.toUpperCase());
    const bad = codes.find((c) => !/^[A-Z]{2}$/.test(c));
    if (bad) {
      ctx.addIssue({ code: "custom", message: `"${bad}" is not a two-letter country code (like US, CA)` });
      return z.NEVER;
    }
    return codes.length ? codes : null;
  });

const earnRuleSchema = z
  .object({
    per: z.enum(["amount", "item"], { error: "Choose per amount spent or per item" }),
    every: z.unknown(),
    points: decimal("Points", 0, 1_000_000),
    prorate: bool.default(true),
    scope: scopeSchema.nullish(),
    excludeDiscountCodes: bool.default(false),
  })
  .transform((r, ctx) => {
    let every: string | number;
    if (r.per === "amount") {
      const m = money("Every").safeParse(r.every);
      if (!m.success || m.data === "0.00") {
        ctx.addIssue({ code: "custom", path: ["every"], message: "Spend per points must be an amount above 0, like 1.00" });
        return z.NEVER;
      }
      every = m.data;
    } else {
      const n = int("Items per points", 1).safeParse(r.every);
      if (!n.success) {
        ctx.addIssue({ code: "custom", path: ["every"], message: "Items per points must be a whole number of at least 1" });
        return z.NEVER;
      }
      every = n.data;
    }
    return { per: r.per, every, points: r.points, prorate: r.prorate, scope: r.scope ?? null, excludeDiscountCodes: r.excludeDiscountCodes };
  });

/** When the birthday reward is handed out: the 1st of the birthday month, or the birthday itself (the default). */
const birthdayWhen = z.enum(["month", "day"], { error: "Choose the first day of the birthday month or the birthday itself" }).default("day");

export const benefitsFormSchema = z.object({
  discount: z
    .object({
      amount: discountValue,
      minimumOrder: optionalMoney("Minimum order"),
      appliesTo: z.enum(["retail", "discounted"], { error: "Choose the retail or the already-discounted price" }).default("retail"),
      scope: scopeSchema.nullish(),
      saleItemExtra: percentExtra,
      combinesWith: z
        .object({ productDiscounts: bool.default(false), orderDiscounts: bool.default(false), shippingDiscounts: bool.default(true) })
        .default({ productDiscounts: false, orderDiscounts: false, shippingDiscounts: true }),
    })
    .nullable()
    .default(null),
  freeShipping: z
    .object({ countries, minimumOrder: optionalMoney("Minimum order") })
    .nullable()
    .default(null),
  points: z
    .object({
      rules: z.array(earnRuleSchema).max(10, "At most 10 earn rules per level").default([]),
      multiplier: decimal("Multiplier", 0.1, 100).default(1),
      rounding: z.enum(["none", "up", "down", "nearest"], { error: "Choose how points are rounded" }).default("down"),
      expiryDays: optionalInt("Points expiry", 1, 3650),
    })
    .default({ rules: [], multiplier: 1, rounding: "down", expiryDays: null }),
  upgradePoints: int("Upgrade points", 0, 1_000_000).default(0),
  // The welcome reward's discount code; its points part is `upgradePoints` (a programme rule, one ledger home).
  welcome: z
    .object({ amount: discountValue, validDays: int("Valid for", 1, 90), whenSkipped: bool.default(false) })
    .nullable()
    .default(null),
  birthday: z
    .discriminatedUnion(
      "kind",
      [
        z.object({ kind: z.literal("discount"), amount: discountValue, when: birthdayWhen }),
        z.object({ kind: z.literal("points"), points: int("Birthday points", 1, 1_000_000), when: birthdayWhen }),
      ],
      {
        error: "Choose a birthday discount or birthday points",
      },
    )
    .nullable()
    .default(null),
  custom: z
    .array(
      z.object({
        title: text("Privilege", 80),
        icon: z.string().trim().max(40).default("star"),
        description: z.string().trim().max(300).default(""),
      }),
    )
    .max(10, "At most 10 custom privileges")
    .default([]),
  /** Titles of picked products and collections, so the editor shows names rather than ids when reopened. */
  resourceTitles: z.record(z.string().max(255), z.string().max(255)).default({}),
});

export type BenefitsForm = z.output<typeof benefitsFormSchema>;

export function parseBenefitsForm(input: unknown): BenefitsForm {
  const result = benefitsFormSchema.safeParse(input);
  if (!result.success) throw new FormValidationError(zodFieldErrors(result.error), 422);
  return result.data;
}

/** Shopper benefits, stored per level and effective on save. Shapes follow docs/contracts.md. */
export interface ShopperBenefits {
  discount: {
    type: "percentage" | "fixed";
    value: string;
    minimumOrder: string | null;
    appliesTo: "retail" | "discounted";
    scope: ScopeJson | null;
    saleItemExtra: string | null;
    combinesWith: { productDiscounts: boolean; orderDiscounts: boolean; shippingDiscounts: boolean };
  } | null;
  freeShipping: { countries: string[] | null; minimumOrder: string | null } | null;
  /** `whenSkipped`: also given to members who pass this level on the way to a higher one in one step. */
  welcome: { type: "percentage" | "fixed"; value: string; validDays: number; whenSkipped: boolean } | null;
  /** `when` absent in rows saved before it existed: "day". */
  birthday:
    | { kind: "discount"; type: "percentage" | "fixed"; value: string; when?: "month" | "day" }
    | { kind: "points"; points: number; when?: "month" | "day" }
    | null;
  custom: { title: string; icon: string; description: string }[];
}

/** Points rules for one level as the admin authors them; compiled into the program's `points.earn`. */
export interface LevelPointsRules {
  rules: {
    per: "amount" | "item";
    every: string | number;
    points: number;
    prorate: boolean;
    scope: ScopeJson | null;
    excludeDiscountCodes: boolean;
  }[];
  multiplier: number;
}

export function shopperBenefitsOf(form: BenefitsForm): ShopperBenefits {
  return {
    discount: form.discount && {
      type: form.discount.amount.type,
      value: form.discount.amount.value,
      minimumOrder: form.discount.minimumOrder,
      appliesTo: form.discount.appliesTo,
      scope: form.discount.scope ?? null,
      saleItemExtra: form.discount.saleItemExtra,
      combinesWith: form.discount.combinesWith,
    },
    freeShipping: form.freeShipping && { countries: form.freeShipping.countries, minimumOrder: form.freeShipping.minimumOrder },
    welcome: form.welcome && {
      type: form.welcome.amount.type,
      value: form.welcome.amount.value,
      validDays: form.welcome.validDays,
      whenSkipped: form.welcome.whenSkipped,
    },
    birthday:
      form.birthday &&
      (form.birthday.kind === "points"
        ? { kind: "points", points: form.birthday.points, when: form.birthday.when }
        : { kind: "discount", ...form.birthday.amount, when: form.birthday.when }),
    custom: form.custom,
  };
}

export const NO_SHOPPER_BENEFITS: ShopperBenefits = { discount: null, freeShipping: null, welcome: null, birthday: null, custom: [] };

interface EarnRuleJson {
  per?: "amount" | "item";
  every?: string | number;
  points: number;
  prorate?: boolean;
  levels?: string[] | null;
  scope?: ScopeJson | null;
  excludeDiscountCodes?: boolean;
}

interface PointsJson {
  earn?: EarnRuleJson[];
  rounding?: string;
  expiryDays?: number | null;
}

const isOnlyFor = (rule: EarnRuleJson, levelId: string) => Array.isArray(rule.levels) && rule.levels.length === 1 && rule.levels[0] === levelId;

/**
 * Writes one level's points rules into the draft program: the level's own earn rules (those listing only this
 * level) are replaced by the form's rules with the multiplier applied; rules shared by several levels or everyone
 * are left alone. The authored form (rules before the multiplier) is kept on the level so the editor can reopen it.
 */
export function applyPointsRules(program: ProgramJson, levelId: string, form: BenefitsForm): ProgramJson {
  const points = (program.points ?? {}) as PointsJson;
  const own = form.points.rules.map<EarnRuleJson>((r) => {
    const rule: EarnRuleJson = {
      per: r.per,
      every: r.every,
      points: round4(r.points * form.points.multiplier),
      prorate: r.prorate,
      levels: [levelId],
    };
    if (r.scope) rule.scope = r.scope;
    if (r.excludeDiscountCodes) rule.excludeDiscountCodes = true;
    return rule;
  });
  const earn = [...(points.earn ?? []).filter((r) => !isOnlyFor(r, levelId)), ...own];
  const used = new Set<string>();
  for (const scope of [form.discount?.scope, ...form.points.rules.map((r) => r.scope)])
    for (const list of Object.values(scope ?? {})) for (const id of list ?? []) used.add(id);
  const benefitResourceTitles = Object.fromEntries(Object.entries(form.resourceTitles).filter(([id]) => used.has(id)));
  const levels = (program.levels ?? []).map((l): LevelJson =>
    l.id === levelId
      ? {
          ...l,
          upgradePoints: form.upgradePoints,
          pointsRules: { rules: form.points.rules, multiplier: form.points.multiplier } satisfies LevelPointsRules,
          benefitResourceTitles,
        }
      : l,
  );
  return { ...program, levels, points: { ...points, earn, rounding: form.points.rounding, expiryDays: form.points.expiryDays } };
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** The benefits editor's initial values from what is stored. */
export function benefitsFormValues(program: ProgramJson, levelId: string, shopper: ShopperBenefits): BenefitsFormValues {
  const level = (program.levels ?? []).find((l) => l.id === levelId);
  const points = (program.points ?? {}) as PointsJson;
  const authored = level?.pointsRules as LevelPointsRules | undefined;
  const rules =
    authored?.rules ??
    (points.earn ?? [])
      .filter((r) => isOnlyFor(r, levelId))
      .map((r) => ({
        per: r.per ?? "amount",
        every: r.every ?? "1.00",
        points: r.points,
        prorate: r.prorate ?? true,
        scope: r.scope ?? null,
        excludeDiscountCodes: r.excludeDiscountCodes ?? false,
      }));
  const amount = (a: { type: "percentage" | "fixed"; value: string } | null | undefined) => ({
    type: a?.type ?? "percentage",
    value: a?.value ?? "",
  });
  const d = shopper.discount;
  return {
    discountOn: !!d,
    discount: {
      amount: amount(d),
      minimumOrder: d?.minimumOrder ?? "",
      appliesTo: d?.appliesTo ?? "retail",
      scope: fullScope(d?.scope),
      saleItemExtra: d?.saleItemExtra ?? "",
      combinesWith: d?.combinesWith ?? { productDiscounts: false, orderDiscounts: false, shippingDiscounts: true },
    },
    freeShippingOn: !!shopper.freeShipping,
    freeShipping: { countries: (shopper.freeShipping?.countries ?? []).join(", "), minimumOrder: shopper.freeShipping?.minimumOrder ?? "" },
    points: {
      rules: rules.map((r) => ({
        per: r.per,
        every: String(r.every),
        points: String(r.points),
        prorate: r.prorate,
        scope: fullScope(r.scope),
        excludeDiscountCodes: r.excludeDiscountCodes,
      })),
      multiplier: String(authored?.multiplier ?? 1),
      rounding: (points.rounding as BenefitsFormValues["points"]["rounding"]) ?? "down",
      expiryDays: points.expiryDays == null ? "" : String(points.expiryDays),
    },
    upgradePoints: String(level?.upgradePoints ?? 0),
    welcomeOn: !!shopper.welcome,
    welcome: {
      amount: amount(shopper.welcome),
      validDays: String(shopper.welcome?.validDays ?? 30),
      whenSkipped: shopper.welcome?.whenSkipped ?? false,
    },
    birthdayOn: !!shopper.birthday,
    birthday:
      shopper.birthday?.kind === "points"
        ? { kind: "points", amount: amount(null), points: String(shopper.birthday.points), when: shopper.birthday.when ?? "day" }
        : { kind: "discount", amount: amount(shopper.birthday), points: "", when: shopper.birthday?.when ?? "day" },
    custom: shopper.custom.map((c) => ({ ...c })),
    resourceTitles: (level?.benefitResourceTitles as Record<string, string> | undefined) ?? {},
  };
}

function fullScope(s: ScopeJson | null | undefined): Required<ScopeJson> {
  return { productIds: [], collectionIds: [], tags: [], excludeProductIds: [], excludeCollectionIds: [], excludeTags: [], ...(s ?? {}) };
}

/** What the client editor holds (text as typed, on/off switches beside each optional benefit). */
export interface BenefitsFormValues {
  discountOn: boolean;
  discount: {
    amount: { type: "percentage" | "fixed"; value: string };
    minimumOrder: string;
    appliesTo: "retail" | "discounted";
    scope: Required<ScopeJson>;
    saleItemExtra: string;
    combinesWith: { productDiscounts: boolean; orderDiscounts: boolean; shippingDiscounts: boolean };
  };
  freeShippingOn: boolean;
  freeShipping: { countries: string; minimumOrder: string };
  points: {
    rules: { per: "amount" | "item"; every: string; points: string; prorate: boolean; scope: Required<ScopeJson>; excludeDiscountCodes: boolean }[];
    multiplier: string;
    rounding: "none" | "up" | "down" | "nearest";
    expiryDays: string;
  };
  upgradePoints: string;
  welcomeOn: boolean;
  welcome: { amount: { type: "percentage" | "fixed"; value: string }; validDays: string; whenSkipped: boolean };
  birthdayOn: boolean;
  birthday: { kind: "discount" | "points"; amount: { type: "percentage" | "fixed"; value: string }; points: string; when: "month" | "day" };
  custom: { title: string; icon: string; description: string }[];
  resourceTitles: Record<string, string>;
}

/** The payload the editor submits: switched-off benefits are sent as null, so the server sees exactly what is on. */
export function benefitsPayload(v: BenefitsFormValues): Record<string, unknown> {
  return {
    discount: v.discountOn ? v.discount : null,
    freeShipping: v.freeShippingOn ? v.freeShipping : null,
    points: v.points,
    upgradePoints: v.upgradePoints,
    welcome: v.welcomeOn ? v.welcome : null,
    birthday: v.birthdayOn
      ? v.birthday.kind === "points"
        ? { kind: "points", points: v.birthday.points, when: v.birthday.when }
        : { kind: "discount", amount: v.birthday.amount, when: v.birthday.when }
      : null,
    custom: v.custom,
    resourceTitles: v.resourceTitles,
  };
}
