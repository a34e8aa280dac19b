import { backfillJob } from "./backfill.server";
import { PART_JOB_HANDLERS } from "./full-recalculation.server";
import { processWebhooksJob } from "./process-webhooks.server";
import { recalculateJob, REVIEW_MEMBERS_JOB } from "./recalculate.server";
import { syncMembersJob } from "./sync-members.server";
import type { JobHandler } from "./worker.server";

/** Job types and their handlers. Other parts of the app add theirs here (or pass them in WorkerDeps.handlers). */
export const JOB_HANDLERS: Record<string, JobHandler> = {
  "process-webhooks": processWebhooksJob,
  "sync-members": syncMembersJob,
  recalculate: recalculateJob,
  [REVIEW_MEMBERS_JOB]: recalculateJob,
  backfill: backfillJob,
  ...PART_JOB_HANDLERS,
};
