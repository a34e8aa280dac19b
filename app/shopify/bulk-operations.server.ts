import { AdminCaller, ShopifyAdminError, operationName as operationNameOf } from "./admin-graphql.server";
import { BULK_MUTATION_RUN, BULK_OPERATION_STATUS, BULK_QUERY_RUN, BULK_VARIABLES_STAGED_UPLOAD } from "./documents";

/**
 * Bulk operations: stage a JSONL file of variables, run one mutation per line, wait (poll or webhook), read the
 * per-line results, and resume the lines a failed operation never reached.
 */

export type BulkOperationStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";

export interface BulkOperationState {
  id: string;
  type: "MUTATION" | "QUERY";
  status: BulkOperationStatus;
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  url: string | null;
  partialDataUrl: string | null;
}

export interface BulkOptions {
  /** Used for the staged upload and to read result files; defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * Resolves when Shopify reports the operation finished (e.g. the `bulk_operations/finish` webhook reached the
   * app). Without it the operation is polled.
   */
  waitForBulkOperation?: (id: string) => Promise<void>;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Give up polling after this long (Shopify stops a bulk mutation after 24 h); default 6 h. */
  bulkTimeoutMs?: number;
  /** How often a failed bulk mutation is resumed from where it stopped. */
  maxResumes?: number;
  clientIdentifier?: string;
}

export interface BulkStats {
  bulkOperations: number;
  stagedUploads: number;
  polls: number;
  resumes: number;
}

export function newBulkStats(): BulkStats {
  return { bulkOperations: 0, stagedUploads: 0, polls: 0, resumes: 0 };
}

const FINISHED: BulkOperationStatus[] = ["COMPLETED", "FAILED", "CANCELED", "EXPIRED"];

/** Uploads JSONL to a staged target (multipart POST, as Shopify's upload targets expect) and returns its path. */
export async function stageJsonl(
  caller: AdminCaller,
  lines: string[],
  opts: BulkOptions & { filename?: string } = {},
  stats?: BulkStats,
): Promise<string> {
  const data = await caller.request(BULK_VARIABLES_STAGED_UPLOAD, {
    input: [{ resource: "BULK_MUTATION_VARIABLES", filename: opts.filename ?? "tierline-bulk.jsonl", mimeType: "text/jsonl", httpMethod: "POST" }],
  });
  const result = data.stagedUploadsCreate;
  if (result.userErrors.length > 0 || !result.stagedTargets?.[0]) {
    throw new ShopifyAdminError("GRAPHQL_ERRORS", `stagedUploadsCreate: ${result.userErrors.map((e: any) => e.message).join("; ") || "no target"}`);
  }
  const target = result.stagedTargets[0] as { url: string; parameters: { name: string; value: string }[] };
  const key = target.parameters.find((p) => p.name === "key")?.value;
  if (!key) throw new ShopifyAdminError("GRAPHQL_ERRORS", "stagedUploadsCreate returned a target without a key parameter");
  const body = lines.length === 0 ? "" : `${lines.join("\n")}\n`;
  const doFetch = opts.fetch ?? fetch;
  for (let attempt = 1; ; attempt++) {
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    // The file must be the last field: storage services ignore fields after it.
    form.append("file", new Blob([body], { type: "text/jsonl" }), opts.filename ?? "tierline-bulk.jsonl");
    let status = 0;
    try {
      const res = await doFetch(target.url, { method: "POST", body: form });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) break;
    const retryable = status === 0 || status === 429 || status >= 500;
    if (!retryable || attempt >= 5) throw new ShopifyAdminError("HTTP_ERROR", `staged upload failed (HTTP ${status})`, { status });
    caller.stats.retries++;
    await caller.wait(caller.backoff(attempt), status === 429 ? "http-429" : status === 0 ? "network" : "http-5xx", "stagedUpload");
  }
  if (stats) stats.stagedUploads++;
  return key;
}

export async function startBulkMutation(
  caller: AdminCaller,
  mutation: string,
  stagedUploadPath: string,
  opts: BulkOptions = {},
  stats?: BulkStats,
): Promise<string> {
  const data = await caller.request(BULK_MUTATION_RUN, {
    mutation,
    stagedUploadPath,
    ...(opts.clientIdentifier ? { clientIdentifier: opts.clientIdentifier } : {}),
  });
  return startedOperationId(data.bulkOperationRunMutation, `bulkOperationRunMutation (${operationNameOf(mutation)})`, stats);
}

export async function startBulkQuery(caller: AdminCaller, query: string, stats?: BulkStats): Promise<string> {
  const data = await caller.request(BULK_QUERY_RUN, { query });
  return startedOperationId(data.bulkOperationRunQuery, `bulkOperationRunQuery (${operationNameOf(query)})`, stats);
}

/** The id of the bulk operation a run mutation started, or the run's user errors as a ShopifyAdminError. */
function startedOperationId(
  result: { bulkOperation?: { id?: unknown } | null; userErrors: { message: string; code?: string | null }[] },
  what: string,
  stats?: BulkStats,
): string {
  if (result.userErrors.length > 0 || !result.bulkOperation) {
    throw new ShopifyAdminError("GRAPHQL_ERRORS", `${what}: ${describeUserErrors(result.userErrors)}`, { errors: result.userErrors });
  }
  if (stats) stats.bulkOperations++;
  return result.bulkOperation.id as string;
}

export async function getBulkOperation(caller: AdminCaller, id: string): Promise<BulkOperationState> {
  const data = await caller.request(BULK_OPERATION_STATUS, { id });
  if (!data.bulkOperation) throw new ShopifyAdminError("GRAPHQL_ERRORS", `bulk operation ${id} not found`);
  return data.bulkOperation as BulkOperationState;
}

/** Waits until the operation reaches a final status, by webhook when one is wired up, else by polling with growing pauses. */
export async function awaitBulkOperation(caller: AdminCaller, id: string, opts: BulkOptions = {}, stats?: BulkStats): Promise<BulkOperationState> {
  if (opts.waitForBulkOperation) {
    await opts.waitForBulkOperation(id);
    const state = await getBulkOperation(caller, id);
    if (FINISHED.includes(state.status)) return state;
  }
  let interval = opts.pollIntervalMs ?? 1000;
  const maxInterval = opts.maxPollIntervalMs ?? 10_000;
  const deadline = caller.now() + (opts.bulkTimeoutMs ?? 6 * 3600_000);
  for (;;) {
    const state = await getBulkOperation(caller, id);
    if (stats) stats.polls++;
    if (FINISHED.includes(state.status)) return state;
    if (caller.now() >= deadline) {
      // Left running on Shopify's side: a later sync re-sends the same "set" writes, so nothing is lost.
      throw new ShopifyAdminError(
        "BULK_OPERATION_TIMEOUT",
        `bulk operation ${id} still ${state.status} after ${opts.bulkTimeoutMs ?? 6 * 3600_000} ms`,
      );
    }
    await caller.sleep(interval);
    interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
  }
}

/** Streams a JSONL result file line by line, so a large backfill never sits in memory as one string. */
export async function* readJsonl(url: string, opts: { fetch?: typeof fetch } = {}): AsyncGenerator<string> {
  const res = await (opts.fetch ?? fetch)(url);
  if (!res.ok || !res.body) throw new ShopifyAdminError("HTTP_ERROR", `bulk result download failed (HTTP ${res.status})`, { status: res.status });
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield line;
      newline = buffered.indexOf("\n");
    }
  }
  buffered += decoder.decode();
  if (buffered.trim()) yield buffered.trim();
}

export interface BulkLineResult {
  /** Index into the caller's `lines`. */
  index: number;
  data: any;
  errors: { message: string }[] | null;
}

export interface BulkMutationOutcome {
  results: BulkLineResult[];
  /** Lines no operation processed (only when resuming gave up). */
  unprocessed: number[];
  operationIds: string[];
}

/**
 * Runs `mutation` once per line. When an operation fails part-way, its partial results say which lines ran; the
 * remaining lines are staged again and run in a new operation; lines that already ran are not sent again.
 */
export async function runBulkMutation(
  caller: AdminCaller,
  mutation: string,
  lines: string[],
  opts: BulkOptions = {},
  stats: BulkStats = newBulkStats(),
): Promise<BulkMutationOutcome> {
  const results: BulkLineResult[] = [];
  const operationIds: string[] = [];
  let pending = lines.map((_, i) => i);
  const maxResumes = opts.maxResumes ?? 3;
  for (let round = 0; pending.length > 0; round++) {
    if (round > maxResumes) break;
    if (round > 0) stats.resumes++;
    const path = await stageJsonl(
      caller,
      pending.map((i) => lines[i]),
      { ...opts, filename: `${operationNameOf(mutation)}.jsonl` },
      stats,
    );
    const id = await startBulkMutation(caller, mutation, path, opts, stats);
    operationIds.push(id);
    const state = await awaitBulkOperation(caller, id, opts, stats);
    const url = state.status === "COMPLETED" ? state.url : state.partialDataUrl;
    const done = new Set<number>();
    if (url) {
      for await (const raw of readJsonl(url, opts)) {
        const row = JSON.parse(raw) as { data?: any; errors?: { message: string }[]; __lineNumber?: number };
        if (typeof row.__lineNumber !== "number") continue;
        const index = pending[row.__lineNumber];
        if (index === undefined || done.has(index)) continue;
        done.add(index);
        results.push({ index, data: row.data ?? null, errors: row.errors ?? null });
      }
    }
    if (state.status === "COMPLETED") {
      // A completed operation reports every line; any it did not are failures we cannot see, not lines to repeat.
      for (const index of pending)
        if (!done.has(index)) results.push({ index, data: null, errors: [{ message: "no result line for this input line" }] });
      pending = [];
    } else {
      pending = pending.filter((i) => !done.has(i));
    }
  }
  results.sort((a, b) => a.index - b.index);
  return { results, unprocessed: pending, operationIds };
}

function describeUserErrors(errors: { message: string; code?: string | null }[] | undefined): string {
  if (!errors || errors.length === 0) return "no bulk operation returned";
  return errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ");
}
