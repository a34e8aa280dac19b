import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/**
 * Real headless Chromium for the browser suite: Debian's `chromium` package driven by playwright-core (no browser
 * download). Without the binary the suite skips with a warning, unless TIERLINE_REQUIRE_BROWSER=1 (CI), where the
 * missing browser is a failure.
 */
export const CHROMIUM_PATH = process.env.TIERLINE_CHROMIUM_PATH || "/usr/bin/chromium";

const root = path.resolve(import.meta.dirname, "../..");
export const ARTIFACTS_DIR = path.join(root, "test/artifacts");

// On a closed network Chromium's own background connections (updates, sync, QUIC probes) get refused and slow or
// break page loads; these switches turn them off.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * A desktop Chrome user agent. authenticate.admin answers bots with 410, and `isbot` counts "HeadlessChrome" as one,
 * so the headless browser presents itself as the desktop browser a merchant uses.
 */
const DESKTOP_CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

export function browserAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

/** Whether the browser suite should run; warns (or throws when the browser is required) when it cannot. */
export function browserSuiteEnabled(): boolean {
  if (browserAvailable()) return true;
  const missing = `Chromium not found at ${CHROMIUM_PATH} (install it with: apt-get install chromium)`;
  if (process.env.TIERLINE_REQUIRE_BROWSER === "1") throw new Error(`${missing}; TIERLINE_REQUIRE_BROWSER=1 requires the browser tests to run.`);
  console.warn(`[browser tests] ${missing}: the browser tests are skipped.`);
  return false;
}

export interface AdminBrowser {
  context: BrowserContext;
  page: Page;
  /** Browser console errors and failed page requests seen so far (a rendered page should have none). */
  problems: string[];
  /** Saves a full-page screenshot as test/artifacts/<test>/<step>.png and returns its path. */
  screenshot(step: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchAdminBrowser(test: string): Promise<AdminBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tierline-chromium-"));
  // A persistent context is how playwright gives Chromium its own --user-data-dir: a fresh profile per run.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    userAgent: DESKTOP_CHROME_UA,
    locale: "en-US",
    timezoneId: "UTC",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("console", (msg) => {
    // The library's bounce page (/auth/session-token) is bare HTML, so Chromium asks for /favicon.ico, which the app
    // does not serve: not a fault of the page.
    if (msg.type() === "error" && !msg.location().url.endsWith("/favicon.ico")) problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    // An aborted poll or prefetch when the page moves on is not a problem.
    if (req.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    if (res.status() === 404 && new URL(res.url()).pathname === "/favicon.ico") return;
    if (res.status() >= 500) problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  const dir = path.join(ARTIFACTS_DIR, test.replace(/[^a-z0-9-]+/gi, "-").toLowerCase());
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    context,
    page,
    problems,
    async screenshot(step: string) {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${step}.png`);
      // Finished state, not a frame of a transition (Polaris animates progress bars and banners).
      await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
      return file;
    },
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
