import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx", "extensions/*/tests/**/*.test.ts", "extensions/*/tests/**/*.test.tsx"],
    // test/browser/** runs too: real Chromium against the demo stack; it skips (with a warning) where /usr/bin/chromium
    // is missing, unless TIERLINE_REQUIRE_BROWSER=1.
    exclude: ["node_modules/**"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The default output, then one summary line per suite (`security: N cases, 0 failures`, `reliability: …`).
    reporters: ["default", "./test/support/security/suite-summary-reporter.ts"],
  },
});
