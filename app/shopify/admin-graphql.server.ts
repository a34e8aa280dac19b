/**
 * The one place Tierline talks to the Admin GraphQL API: cost-aware pacing, retries with backoff, and error
 * classification for both kinds of client the app holds (the Remix `admin` context, which throws the
 * @shopify/shopify-api error classes on non-2xx or GraphQL errors, and a plain fetch-style client returning a Response).
 */

/** What `authenticate.admin(request)` / `unauthenticated.admin(shop)` return as `admin`, reduced to what we call. */
export interface AdminGraphqlClient {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

/** Clock, sleep and randomness are injected so tests run at full speed and can assert every wait. */
export interface CallPolicy {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Attempts per request, the first one included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export type WaitReason = "throttle-budget" | "throttled" | "http-429" | "http-5xx" | "network" | "internal-error";

export interface CallStats {
  calls: number;
  retries: number;
  /** Time spent waiting for the cost budget or backing off before a retry (not bulk polling). */
  waitedMs: number;
  waits: { reason: WaitReason; ms: number; operation: string }[];
}

export type AdminErrorCode = "GRAPHQL_ERRORS" | "UNAUTHORIZED" | "HTTP_ERROR" | "RETRIES_EXHAUSTED" | "MAX_COST_EXCEEDED" | "BULK_OPERATION_TIMEOUT";

export class ShopifyAdminError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly details: { status?: number; operation?: string; errors?: unknown; cause?: unknown } = {},
  ) {
    super(message);
    this.name = "ShopifyAdminError";
  }
}

export interface GraphqlErrorEntry {
  message: string;
  extensions?: { code?: string; [k: string]: unknown };
  path?: (string | number)[];
}

type Outcome =
  | { kind: "ok"; data: any; cost: QueryCost | null }
  | { kind: "retry"; reason: WaitReason; hintMs: number; cost: QueryCost | null; detail: string }
  | { kind: "fail"; error: ShopifyAdminError };

const DEFAULT_COST = 10;

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AdminCaller {
  readonly stats: CallStats = { calls: 0, retries: 0, waitedMs: 0, waits: [] };
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private bucket: (ThrottleStatus & { at: number }) | null = null;
  private readonly lastCost = new Map<string, number>();
  /** The expected costs of the requests sent and not yet answered. */
  private inFlightCost = 0;
  private paying: Promise<void> = Promise.resolve();
  private probe: Promise<void> | null = null;

  constructor(
    readonly admin: AdminGraphqlClient,
    policy: CallPolicy = {},
  ) {
    this.sleep = policy.sleep ?? realSleep;
    this.now = policy.now ?? Date.now;
    this.random = policy.random ?? Math.random;
    this.maxAttempts = policy.maxAttempts ?? 8;
    this.baseDelayMs = policy.baseDelayMs ?? 1000;
    this.maxDelayMs = policy.maxDelayMs ?? 60_000;
  }

  /** The shop's cost bucket as of now, assuming it refilled at `restoreRate` since the last response. */
  available(): number | null {
    if (!this.bucket) return null;
    const elapsed = Math.max(0, this.now() - this.bucket.at) / 1000;
    return Math.min(this.bucket.maximumAvailable, this.bucket.currentlyAvailable + elapsed * this.bucket.restoreRate);
  }

  /**
   * Sends one document and returns its `data`. Waits first when the last known bucket cannot pay for the expected
   * cost (`estimatedCost`, else the last requested cost of the same operation), and retries THROTTLED, 429, 5xx and
   * network failures with exponential backoff and jitter. Anything else (invalid document, 401, other 4xx) throws.
   */
  async request<T = any>(document: string, variables?: Record<string, unknown>, opts: { estimatedCost?: number } = {}): Promise<T> {
    const operation = operationName(document);
    for (let attempt = 1; ; attempt++) {
      // The caller's estimate knows this request's sizes; the last answer for the same operation is the next best guess.
      const cost = opts.estimatedCost ?? this.lastCost.get(operation) ?? DEFAULT_COST;
      const probed = await this.pay(cost, operation);
      this.stats.calls++;
      this.inFlightCost += cost;
      let outcome: Outcome;
      try {
        outcome = await this.send(document, variables).finally(() => (this.inFlightCost -= cost));
        if (outcome.kind !== "fail" && outcome.cost) this.remember(operation, outcome.cost);
      } finally {
        probed?.();
      }
      if (outcome.kind === "ok") return outcome.data as T;
      if (outcome.kind === "fail") {
        outcome.error.details.operation ??= operation;
        throw outcome.error;
      }
      if (attempt >= this.maxAttempts) {
        throw new ShopifyAdminError("RETRIES_EXHAUSTED", `${operation}: gave up after ${attempt} attempts (${outcome.detail})`, {
          operation,
        });
      }
      const delay = Math.max(this.backoff(attempt), outcome.hintMs);
      this.stats.retries++;
      await this.wait(delay, outcome.reason, operation);
    }
  }

  /** Exponential backoff with "equal jitter": half the step is fixed, half random, so retries never synchronise. */
  backoff(attempt: number): number {
    const step = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(step / 2 + this.random() * (step / 2));
  }

  async wait(ms: number, reason: WaitReason, operation: string): Promise<void> {
    if (ms <= 0) return;
    this.stats.waitedMs += ms;
    // A worker may keep one caller per shop for hours: keep the recent waits, not all of them.
    if (this.stats.waits.length >= 1000) this.stats.waits.shift();
    this.stats.waits.push({ reason, ms, operation });
    await this.sleep(ms);
  }

  /**
   * Requests sent side by side (a sync's concurrent chunks) pay one after another: each waits until the bucket holds
   * its expected cost, then takes that cost out as it leaves, so the next one sees what is left. While the bucket is
   * still unknown (before any answer), one request goes first and the others wait for its answer. Returns, for that
   * first request, the function that lets the others go.
   */
  private pay(cost: number, operation: string): Promise<(() => void) | null> {
    const turn = this.paying.then(async () => {
      while (!this.bucket && this.probe) await this.probe;
      let probed: (() => void) | null = null;
      if (!this.bucket) {
        let answered!: () => void;
        this.probe = new Promise<void>((resolve) => (answered = resolve));
        probed = () => {
          this.probe = null;
          answered();
        };
      }
      await this.payForCost(cost, operation);
      this.debit(cost);
      return probed;
    });
    this.paying = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async payForCost(cost: number, operation: string): Promise<void> {
    const available = this.available();
    if (available === null || !this.bucket || cost <= available || this.bucket.restoreRate <= 0) return;
    const cappedCost = Math.min(cost, this.bucket.maximumAvailable);
    if (cappedCost <= available) return;
    await this.wait(Math.ceil(((cappedCost - available) / this.bucket.restoreRate) * 1000), "throttle-budget", operation);
  }

  /**
   * Takes the expected cost out of the known bucket as the request leaves, so requests sent side by side (a sync's
   * concurrent chunks) each see what the others will spend instead of all paying from the same points. The next
   * answer replaces the estimate with Shopify's own figure.
   */
  private debit(cost: number): void {
    const available = this.available();
    if (available === null || !this.bucket) return;
    this.bucket = { ...this.bucket, currentlyAvailable: available - cost, at: this.now() };
  }

  /** Shopify's figure, less what requests still on their way will spend (their costs may not be in it yet). */
  private remember(operation: string, cost: QueryCost): void {
    this.bucket = { ...cost.throttleStatus, currentlyAvailable: cost.throttleStatus.currentlyAvailable - this.inFlightCost, at: this.now() };
    if (typeof cost.requestedQueryCost === "number") this.lastCost.set(operation, cost.requestedQueryCost);
  }

  private async send(document: string, variables?: Record<string, unknown>): Promise<Outcome> {
    let response: Response;
    try {
      response = await this.admin.graphql(document, variables ? { variables } : undefined);
    } catch (error) {
      return this.classifyThrown(error);
    }
    if (response.status !== 200) {
      const text = await response.text().catch(() => "");
      return classifyHttp(response.status, response.headers.get("retry-after"), text);
    }
    let body: { data?: unknown; errors?: unknown; extensions?: { cost?: QueryCost } };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      return { kind: "retry", reason: "network", hintMs: 0, cost: null, detail: `unreadable response body: ${String(error)}` };
    }
    return this.classifyBody(body.data, body.errors, body.extensions?.cost ?? null);
  }

  private classifyBody(data: unknown, errors: unknown, cost: QueryCost | null): Outcome {
    if (!errors || (Array.isArray(errors) && errors.length === 0)) return { kind: "ok", data, cost };
    const list: GraphqlErrorEntry[] = Array.isArray(errors) ? errors : [{ message: String((errors as any)?.message ?? errors) }];
    const codes = list.map((e) => e.extensions?.code);
    if (codes.includes("THROTTLED")) {
      return { kind: "retry", reason: "throttled", hintMs: throttleHint(cost), cost, detail: "THROTTLED" };
    }
    if (codes.includes("INTERNAL_SERVER_ERROR")) {
      return { kind: "retry", reason: "internal-error", hintMs: 0, cost, detail: list[0].message };
    }
    if (codes.includes("MAX_COST_EXCEEDED")) {
      return { kind: "fail", error: new ShopifyAdminError("MAX_COST_EXCEEDED", list[0].message, { errors: list }) };
    }
    return {
      kind: "fail",
      error: new ShopifyAdminError("GRAPHQL_ERRORS", `GraphQL errors: ${list.map((e) => e.message).join("; ")}`, { errors: list }),
    };
  }

  /** The Remix admin client throws @shopify/shopify-api errors; they are recognised by shape, not class identity. */
  private classifyThrown(error: unknown): Outcome {
    const e = error as any;
    if (error instanceof Response) return classifyHttp(error.status, error.headers.get("retry-after"), "");
    // GraphqlQueryError: a 200 whose body carried `errors` (THROTTLED lands here).
    if (e?.body && typeof e.body === "object" && "errors" in e.body) {
      const graphQLErrors = e.body.errors?.graphQLErrors ?? e.body.errors;
      return this.classifyBody(e.body.data, graphQLErrors, e.body.extensions?.cost ?? null);
    }
    // HttpResponseError and subclasses: { response: { code, statusText, body, headers, retryAfter? } }.
    if (typeof e?.response?.code === "number") {
      const retryAfter = e.response.retryAfter ?? headerValue(e.response.headers, "retry-after");
      const text = typeof e.response.body === "string" ? e.response.body : JSON.stringify(e.response.body ?? "");
      return classifyHttp(e.response.code, retryAfter === undefined || retryAfter === null ? null : String(retryAfter), text);
    }
    return { kind: "retry", reason: "network", hintMs: 0, cost: null, detail: e?.message ?? String(error) };
  }
}

function classifyHttp(status: number, retryAfter: string | null, text: string): Outcome {
  if (status === 429) {
    const seconds = retryAfter ? Number.parseFloat(retryAfter) : Number.NaN;
    return { kind: "retry", reason: "http-429", hintMs: Number.isFinite(seconds) ? Math.ceil(seconds * 1000) : 0, cost: null, detail: "HTTP 429" };
  }
  if (status >= 500) return { kind: "retry", reason: "http-5xx", hintMs: 0, cost: null, detail: `HTTP ${status}` };
  if (status === 401 || status === 403) {
    return { kind: "fail", error: new ShopifyAdminError("UNAUTHORIZED", `Shopify refused the access token (HTTP ${status})`, { status }) };
  }
  return { kind: "fail", error: new ShopifyAdminError("HTTP_ERROR", `HTTP ${status}: ${text.slice(0, 300)}`, { status }) };
}

/** How long until the bucket holds what the refused request asked for. */
function throttleHint(cost: QueryCost | null): number {
  if (!cost?.throttleStatus || !cost.requestedQueryCost) return 0;
  const { currentlyAvailable, restoreRate } = cost.throttleStatus;
  const missing = cost.requestedQueryCost - currentlyAvailable;
  return missing > 0 && restoreRate > 0 ? Math.ceil((missing / restoreRate) * 1000) : 0;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : String(v);
  }
  return undefined;
}

export function operationName(document: string): string {
  return /\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(document)?.[1] ?? "anonymous";
}

export function asCaller(admin: AdminGraphqlClient | AdminCaller, policy?: CallPolicy): AdminCaller {
  return admin instanceof AdminCaller ? admin : new AdminCaller(admin, policy);
}
