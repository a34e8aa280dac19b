import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo/start";
import { launchAdminBrowser, type AdminBrowser } from "./browser";

/** The demo and the browser one describe block of the browser suite shares, filled in by its beforeAll. */
export interface DemoInBrowser {
  demo: Demo;
  browser: AdminBrowser;
  /** Every line the demo printed (its URLs, the summary). */
  printed: string[];
}

/**
 * Registers the browser suite's hooks in the calling describe block: `npm run demo`'s stack on a fresh temporary
 * database with the replay delivered as fast as the app takes it, then headless Chromium (screenshots under
 * test/artifacts/<name>/). After each test a failure leaves a screenshot, and a page that rendered but logged errors,
 * failed a request or answered 5xx fails the test: it is still broken.
 */
export function demoInBrowser(name: string, setupTimeoutMs = 180_000): DemoInBrowser {
  const suite = { printed: [] as string[] } as DemoInBrowser;
  beforeAll(async () => {
    suite.demo = await startDemo({ fresh: true, pace: "instant", customers: 120, quiet: true, output: (line) => suite.printed.push(line) });
    await suite.demo.replayDone;
    suite.browser = await launchAdminBrowser(name);
  }, setupTimeoutMs);

  afterAll(async () => {
    await suite.browser?.close();
    await suite.demo?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === "fail") await suite.browser.screenshot(`failed-${ctx.task.name}`);
    expect(suite.browser.problems.splice(0)).toEqual([]);
  });
  return suite;
}
