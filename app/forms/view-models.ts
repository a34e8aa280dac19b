// What the admin pages render: plain JSON the services return and the routes pass through `json()`.
import type { BenefitsFormValues } from "./benefits-form";
import type { FieldErrors } from "./form-errors";
import type { LevelFormValues } from "./level-form";
import type { SettingsFormValues } from "./settings-form";

/** One day of the member centre's growth chart. */
export interface GrowthPoint {
  /** "2026-03-02" */
  date: string;
  count: number;
}

export interface LevelOption {
  id: string;
  name: string;
}

export interface SyncHealth {
  queued: number;
  running: number;
  failed: number;
  lastError: { at: string; type: string; message: string } | null;
  lastSyncedAt: string | null;
}

export interface RecentLevelChange {
  at: string;
  memberId: string;
  memberName: string;
  from: string | null;
  to: string | null;
  cause: string;
  text: string;
}

export interface MemberCentreView {
  currency: string;
  programEnabled: boolean;
  hasPublished: boolean;
  draftPending: boolean;
  memberCount: number;
  /** Members added in the last 30 days. */
  newMembers30d: number;
  growth: GrowthPoint[];
  perLevel: { levelId: string | null; name: string; count: number }[];
  recentChanges: RecentLevelChange[];
  sync: SyncHealth;
  recalculation: RecalculationView | null;
}

export interface LevelRow {
  id: string;
  name: string;
  rank: number;
  enabled: boolean;
  internalOnly: boolean;
  badge: string;
  memberCount: number;
  /** "published" (live), "draft" (added in the draft), "changed" (live but edited in the draft). */
  state: "published" | "draft" | "changed";
  conditionSummary: string;
}

export interface LevelsView {
  currency: string;
  levels: LevelRow[];
  cap: { plan: string; label: string; maxLevels: number };
  capMessage: string | null;
  /** Shopify's plan page for this app (opened in the admin's top frame); shown with capMessage. */
  planUrl: string;
  draftPending: boolean;
  /** Levels that were published and are gone from the draft (removed on publish). */
  removed: LevelOption[];
}

export interface LevelEditView {
  levelId: string | null;
  /** Changes whenever the stored draft changes, so the editor remounts with stored values after a save. */
  formKey: string;
  form: LevelFormValues;
  currency: string;
  retentionOn: boolean;
  memberCount: number;
  rank: number | null;
  published: boolean;
  /** Set when a new level would go over the plan's cap: the editor says so instead of failing on save. */
  capMessage: string | null;
  /** Shopify's plan page for this app (opened in the admin's top frame); shown with capMessage. */
  planUrl: string;
}

export interface BenefitsEditView {
  levelId: string;
  levelName: string;
  formKey: string;
  form: BenefitsFormValues;
  currency: string;
  discountSync: { state: "synced" | "pending" | "failed" | "never"; message: string | null };
}

export interface SettingsView {
  formKey: string;
  form: SettingsFormValues;
  draftPending: boolean;
}

export interface RecalculationView {
  jobId: string;
  versionId: string;
  status: "queued" | "running" | "done" | "failed";
  done: number;
  total: number;
  error: string | null;
}

export interface PreviewView {
  asOf: string;
  members: number;
  rows: { levelId: string; levelName: string; up: number; down: number; stay: number }[];
  counts: { levelId: string; levelName: string; before: number; after: number }[];
}

export interface ScheduledView {
  versionId: string;
  publishAt: string;
  createdAt: string;
}

export interface PublishView {
  currency: string;
  draft: { versionId: string; updatedAt: string; error: string | null } | null;
  published: { versionId: string; publishedAt: string } | null;
  scheduled: ScheduledView[];
  recalculation: RecalculationView | null;
  preview: PreviewView | null;
}

export interface MemberRow {
  id: string;
  customerGid: string;
  name: string;
  email: string | null;
  level: string | null;
  levelName: string | null;
  status: string;
  locked: boolean;
  spend: string;
  points: number;
  levelSince: string | null;
}

export interface MembersFilter {
  query: string;
  level: string | null;
  status: string | null;
  minSpend: string | null;
  maxSpend: string | null;
  /** Drill-down from the publish preview: members the draft moves up/down/keeps, from a given level. */
  move: { from: string; kind: "up" | "down" | "stay" } | null;
  page: number;
}

export interface MembersView {
  currency: string;
  members: MemberRow[];
  total: number;
  page: number;
  pageSize: number;
  filter: MembersFilter;
  levels: LevelOption[];
  /** Per-level counts for the filter chips. */
  counts: Record<string, number>;
}

export interface LedgerRow {
  key: string;
  at: string;
  kind: string;
  points: number;
  note: string | null;
  orderId: string | null;
  balance: number;
}

export interface OrderRow {
  orderGid: string;
  name: string;
  paidAt: string;
  total: string;
  refunded: string;
  cancelled: boolean;
  /** A live order whose products' collections and tags are not read yet (scoped conditions count it once they are). */
  waitingForProductData: boolean;
}

export interface AuditRow {
  at: string;
  from: string | null;
  to: string | null;
  cause: string;
  text: string;
}

export interface MemberDetailView {
  currency: string;
  member: MemberRow & { levelExpiresAt: string | null; graceEndsAt: string | null };
  progress: { next: LevelOption; remainingSpend: string | null; remainingPoints: number | null; percent: number | null } | null;
  ledger: LedgerRow[];
  orders: OrderRow[];
  audit: AuditRow[];
  levels: LevelOption[];
}

/** Every action answers with this: `ok` or the field errors to show. */
export type ActionResult<T extends object = object> = ({ ok: true } & T) | { ok: false; errors: FieldErrors };
