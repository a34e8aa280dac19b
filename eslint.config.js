import js from "@eslint/js";
import tseslint from "typescript-eslint";

const frameworkImports = [
  {
    group: ["@remix-run/*", "@shopify/*", "@prisma/*", "prisma", "react", "react-dom", "graphql", "graphql-request", "better-sqlite3", "pg"],
    message: "app/domain is the pure engine: no framework, Shopify, database or UI imports.",
  },
  { group: ["~/*", "../*"], message: "app/domain may import only from app/domain." },
  { group: ["node:*", "fs", "path", "os", "process", "child_process"], message: "app/domain has no I/O." },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "build/**",
      "public/build/**",
      "extensions/*/dist/**",
      "extensions/*/generated/**",
      "extensions/*/shopify.d.ts",
      "test/artifacts/**",
      ".cache/**",
      ".tmp/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // The engine stays pure: no framework imports, no env, no clock.
    files: ["app/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: frameworkImports }],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "app/domain reads no environment." },
        { name: "fetch", message: "app/domain does no I/O." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "app/domain has no clock: pass time in." },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "app/domain has no clock: pass time in." },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: "app/domain is deterministic." },
      ],
    },
  },
);
