import { z } from "zod";
import { CONDITION_KINDS, type ConditionKind, type Scope } from "~/domain/index";
import { DEFAULT_TIER_CARD } from "~/shared/tier-metafield";
import { FormValidationError, FORM_ERROR, zodFieldErrors } from "./form-errors";
import { bool, decimal, hexColour, int, money, optionalInt, optionalMoney, stringList, text } from "./form-fields";

// The level editor's form model and its translation into the program JSON the engine validates
// (docs/scenario-format.md's `levels[]`). Field keys mirror the engine's paths below `program.levels[i]`, so an
// engine error such as `program.levels[2].upgrade[0][1].amount` lands on the editor's `upgrade[0][1].amount`.

export const BADGES = ["star", "crown", "diamond", "gem", "trophy", "medal", "heart", "leaf", "none"] as const;
export type Badge = (typeof BADGES)[number];

export const CONDITION_LABELS: Record<ConditionKind, string> = {
  accumulatedSpend: "Accumulated spend",
  singleOrder: "Single order amount",
  orderCount: "Number of orders",
  itemCount: "Number of items bought",
  productPurchase: "Bought specific products",
  points: "Points earned",
};

export const ROLE_LABELS = { both: "Upgrade and renewal", upgrade: "Upgrade only", renewal: "Renewal only" } as const;
export type ConditionRole = keyof typeof ROLE_LABELS;

/** A scope in the programme JSON: the engine's `Scope`, where an empty list may be left out. */
export type ScopeJson = Partial<Scope>;

/** One condition in the engine's JSON shape. */
export interface ConditionJson {
  kind: ConditionKind;
  amount?: string | number;
  count?: number;
  quantity?: number;
  scope?: ScopeJson | null;
  windowDays?: number | null;
  role?: ConditionRole;
  showProgress?: boolean;
}

export interface CardStyle {
  badge: Badge;
  background: string;
  text: string;
  levelColor: string;
  hideDates: boolean;
}

/** The shopper contract's default card (one home: app/shared/tier-metafield.ts). */
export const DEFAULT_CARD = { ...DEFAULT_TIER_CARD } as CardStyle;

/** A level in the program JSON, with the admin's own display fields (`card`, `resourceTitles`) beside the engine's. */
export interface LevelJson {
  id: string;
  name: string;
  rank: number;
  enabled?: boolean;
  internalOnly?: boolean;
  upgrade?: ConditionJson[][];
  renewal?: ConditionJson[][] | null;
  retainAmount?: string | null;
  upgradePoints?: number;
  card?: CardStyle;
  /** Titles of picked products and collections, so the editor can show names rather than ids. */
  resourceTitles?: Record<string, string>;
  [extra: string]: unknown;
}

export interface ProgramJson {
  levels?: LevelJson[];
  [field: string]: unknown;
}

const SCOPE_LISTS = ["productIds", "collectionIds", "tags", "excludeProductIds", "excludeCollectionIds", "excludeTags"] as const;

const scopeSchema = z
  .object(
    Object.fromEntries(SCOPE_LISTS.map((k) => [k, stringList(k.includes("Tag") || k === "tags" ? "Tags" : "Picked items")])) as Record<
      (typeof SCOPE_LISTS)[number],
      ReturnType<typeof stringList>
    >,
  )
  .transform((s): ScopeJson | null => {
    const out: ScopeJson = {};
    for (const k of SCOPE_LISTS) if (s[k].length) out[k] = s[k];
    return Object.keys(out).length ? out : null;
  });

const roleSchema = z.enum(["both", "upgrade", "renewal"], { error: "Choose upgrade, renewal only, or both" });

const conditionBase = {
  scope: scopeSchema.nullish(),
  windowDays: optionalInt("Window", 1, 3650),
  role: roleSchema.default("both"),
  showProgress: bool.default(true),
};

const conditionSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("accumulatedSpend"), amount: money("Spend"), ...conditionBase }),
    z.object({ kind: z.literal("singleOrder"), amount: money("Order amount"), ...conditionBase }),
    z.object({ kind: z.literal("orderCount"), count: int("Number of orders", 1), ...conditionBase }),
    z.object({ kind: z.literal("itemCount"), count: int("Number of items", 1), ...conditionBase }),
    // A productPurchase without items to buy could never be met.
    z
      .object({ kind: z.literal("productPurchase"), quantity: int("Quantity", 1), ...conditionBase })
      .refine((c) => !!(c.scope?.productIds?.length || c.scope?.collectionIds?.length || c.scope?.tags?.length), {
        path: ["scope"],
        message: "Pick the products, collections or tags to buy",
      }),
    z
      .object({ kind: z.literal("points"), amount: decimal("Points", 0, 1e9), ...conditionBase })
      .refine((c) => !c.scope, { path: ["scope"], message: "A points condition cannot be limited to products" }),
  ],
  { error: `Choose a condition: ${CONDITION_KINDS.join(", ")}` },
);

const groupsSchema = z
  .array(z.array(conditionSchema).min(1, "A condition group needs at least one condition").max(10, "A group can hold at most 10 conditions"))
  .max(10, "At most 10 condition groups");

export const levelFormSchema = z
  .object({
    name: text("Name", 60),
    enabled: bool.default(true),
    internalOnly: bool.default(false),
    card: z
      .object({
        badge: z.enum(BADGES, { error: "Choose a badge" }).default("star"),
        background: hexColour("Background"),
        text: hexColour("Text colour"),
        levelColor: hexColour("Level colour"),
        hideDates: bool.default(false),
      })
      .default(DEFAULT_CARD),
    upgrade: groupsSchema.default([]),
    /** false = renewal uses the upgrade conditions (engine: `renewal: null`). */
    customRenewal: bool.default(false),
    renewal: groupsSchema.default([]),
    retainAmount: optionalMoney("Retention amount"),
    resourceTitles: z.record(z.string(), z.string().max(255)).default({}),
  })
  .superRefine((f, ctx) => {
    if (f.customRenewal) {
      if (f.renewal.length === 0)
        ctx.addIssue({ code: "custom", path: ["renewal"], message: "Add a renewal condition group, or renew with the upgrade conditions" });
    }
    if (!f.internalOnly && f.enabled && f.upgrade.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["upgrade"],
        message: "Add at least one condition group, or make the level internal-only (assigned by hand)",
      });
    }
  });

export type LevelForm = z.output<typeof levelFormSchema>;
export type LevelFormInput = z.input<typeof levelFormSchema>;

export function parseLevelForm(input: unknown): LevelForm {
  const result = levelFormSchema.safeParse(input);
  if (!result.success) throw new FormValidationError(zodFieldErrors(result.error), 422);
  return result.data;
}

function toConditionJson(c: LevelForm["upgrade"][number][number]): ConditionJson {
  const out: ConditionJson = { kind: c.kind };
  if ("amount" in c) out.amount = c.amount;
  if ("count" in c) out.count = c.count;
  if ("quantity" in c) out.quantity = c.quantity;
  if (c.scope) out.scope = c.scope;
  if (c.windowDays !== null) out.windowDays = c.windowDays;
  if (c.role !== "both") out.role = c.role;
  if (!c.showProgress) out.showProgress = false;
  return out;
}

/** Slug for a new level's id: stable once created, because tags (`tier:gold`) and metafields carry it. */
export function levelIdFrom(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "level";
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/**
 * Writes the form into a copy of the program JSON. A new level (`levelId` null) gets a fresh id and the rank above
 * the highest. Fields the form does not edit (upgrade points, benefits, …) are kept.
 */
export function applyLevelForm(
  program: ProgramJson,
  levelId: string | null,
  form: LevelForm,
): { program: ProgramJson; levelId: string; index: number } {
  const levels = [...(program.levels ?? [])];
  const existing = levelId === null ? -1 : levels.findIndex((l) => l.id === levelId);
  if (levelId !== null && existing < 0) throw new FormValidationError({ [FORM_ERROR]: `There is no level "${levelId}" in the draft.` }, 404);
  const id = levelId ?? levelIdFrom(form.name, new Set(levels.map((l) => l.id)));
  const base: LevelJson = existing >= 0 ? levels[existing] : { id, name: form.name, rank: Math.max(0, ...levels.map((l) => l.rank)) + 1 };
  const usedTitles = new Set<string>();
  const upgrade = form.upgrade.map((g) => g.map(toConditionJson));
  const renewal = form.customRenewal ? form.renewal.map((g) => g.map(toConditionJson)) : null;
  for (const g of [...upgrade, ...(renewal ?? [])])
    for (const c of g) for (const list of Object.values(c.scope ?? {})) for (const v of list ?? []) usedTitles.add(v);
  const next: LevelJson = {
    ...base,
    id,
    name: form.name,
    enabled: form.enabled,
    internalOnly: form.internalOnly,
    upgrade,
    renewal,
    retainAmount: form.retainAmount,
    card: { ...form.card },
    resourceTitles: Object.fromEntries(Object.entries(form.resourceTitles).filter(([k]) => usedTitles.has(k))),
  };
  const index = existing >= 0 ? existing : levels.length;
  levels[index] = next;
  return { program: { ...program, levels }, levelId: id, index };
}

/** The editor's initial values for a stored level (or a new one). Inverse of applyLevelForm for what the form edits. */
export function levelFormValues(level: LevelJson | null): LevelFormValues {
  const cond = (c: ConditionJson): ConditionValues => ({
    kind: c.kind,
    amount: c.amount === undefined ? "" : String(c.amount),
    count: c.count === undefined ? "" : String(c.count),
    quantity: c.quantity === undefined ? (c.kind === "productPurchase" ? "1" : "") : String(c.quantity),
    scope: { ...emptyScope(), ...(c.scope ?? {}) },
    windowDays: c.windowDays == null ? "" : String(c.windowDays),
    role: c.role ?? "both",
    showProgress: c.showProgress ?? true,
  });
  return {
    name: level?.name ?? "",
    enabled: level?.enabled ?? true,
    internalOnly: level?.internalOnly ?? false,
    card: { ...DEFAULT_CARD, ...(level?.card ?? {}) },
    upgrade: (level?.upgrade ?? [[{ kind: "accumulatedSpend", amount: "" }]]).map((g) => g.map(cond)),
    customRenewal: level?.renewal != null,
    renewal: (level?.renewal ?? []).map((g) => g.map(cond)),
    retainAmount: level?.retainAmount ?? "",
    resourceTitles: level?.resourceTitles ?? {},
  };
}

export function emptyScope(): Required<ScopeJson> {
  return { productIds: [], collectionIds: [], tags: [], excludeProductIds: [], excludeCollectionIds: [], excludeTags: [] };
}

/** What the client editor holds: every field as the text the merchant typed. */
export interface ConditionValues {
  kind: ConditionKind;
  amount: string;
  count: string;
  quantity: string;
  scope: Required<ScopeJson>;
  windowDays: string;
  role: ConditionRole;
  showProgress: boolean;
}

export interface LevelFormValues {
  name: string;
  enabled: boolean;
  internalOnly: boolean;
  card: CardStyle;
  upgrade: ConditionValues[][];
  customRenewal: boolean;
  renewal: ConditionValues[][];
  retainAmount: string;
  resourceTitles: Record<string, string>;
}

export function newCondition(kind: ConditionKind = "accumulatedSpend"): ConditionValues {
  return {
    kind,
    amount: "",
    count: "",
    quantity: kind === "productPurchase" ? "1" : "",
    scope: emptyScope(),
    windowDays: "",
    role: "both",
    showProgress: true,
  };
}

/** Drops the text fields a condition's kind does not use, so the submitted payload has only what the server reads. */
export function conditionPayload(c: ConditionValues): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: c.kind, scope: c.scope, windowDays: c.windowDays, role: c.role, showProgress: c.showProgress };
  if (c.kind === "accumulatedSpend" || c.kind === "singleOrder" || c.kind === "points") out.amount = c.amount;
  else if (c.kind === "productPurchase") out.quantity = c.quantity;
  else out.count = c.count;
  if (c.kind === "points") delete out.scope;
  return out;
}

export function levelPayload(v: LevelFormValues): Record<string, unknown> {
  return {
    ...v,
    upgrade: v.upgrade.map((g) => g.map(conditionPayload)),
    renewal: v.customRenewal ? v.renewal.map((g) => g.map(conditionPayload)) : [],
  };
}
