import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// `npm run test:unit`: the fast lane for the edit-test loop. The pure tests only: the engine (test/domain), the
// view-models and metafield contract (test/shared), the pure parts of the services (admin form models, CSV, the
// recalculation's planning in test/recalculation) and the
// discount Function's logic. No database, no server, no browser, no child process. `npm test` runs everything.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: [
      "test/domain/**/*.test.ts",
      "test/shared/**/*.test.ts",
      "test/admin/*-form.test.ts",
      "test/admin/*csv.test.ts",
      "test/recalculation/**/*.test.ts",
      "test/function/discount-config.test.ts",
      // Reads source files only: scripts/, bench/ and tools/ import nothing from test/.
      "test/backbone/tools-import-no-tests.test.ts",
      "extensions/tier-discount/tests/**/*.test.ts",
    ],
    // generated-types runs the Shopify CLI's typegen (20 s): `npm test` keeps it.
    exclude: ["node_modules/**", "extensions/tier-discount/tests/generated-types.test.ts"],
    environment: "node",
    // Pure modules, no global state: one module graph per worker instead of one per file (most of the lane's time).
    pool: "threads",
    isolate: false,
  },
});
