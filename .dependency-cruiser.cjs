/* global module */
// The layers of Tierline, as rules (`npm run lint:layers`). docs/architecture.md, "Layer rules", explains each one.
// Paths are repository-relative; `~/…` imports resolve through tsconfig.json's paths.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "app/domain is the pure rules engine: it imports nothing else of the app (time and data come in as arguments).",
      severity: "error",
      from: { path: "^app/domain/" },
      to: { path: "^(app/(?!domain/)|extensions/|scripts/|test/|bench/)" },
    },
    {
      name: "shared-imports-only-domain",
      comment: "app/shared (view-models and the metafield contract, also bundled into the extensions) imports only the domain.",
      severity: "error",
      from: { path: "^app/shared/" },
      to: { path: "^(app/(?!shared/|domain/)|extensions/|scripts/|test/|bench/)" },
    },
    {
      name: "shopify-imports-no-services",
      comment: "app/shopify is the Admin API adapter below the services: it imports no services, jobs, routes or components.",
      severity: "error",
      from: { path: "^app/shopify/" },
      to: { path: "^app/(services|jobs|routes|components)/" },
    },
    {
      name: "forms-import-only-domain-and-shared",
      comment:
        "app/forms holds the pure admin form models and view-models that components and services both use: it imports only app/domain and app/shared.",
      severity: "error",
      from: { path: "^app/forms/" },
      to: { path: "^(app/(?!forms/|shared/|domain/)|extensions/|scripts/|test/|bench/)" },
    },
    {
      name: "components-import-no-services",
      comment: "Components render what routes hand them: of the app they import only other components, app/forms, app/shared and app/domain.",
      severity: "error",
      from: { path: "^app/components/" },
      to: { path: "^(app/(?!components/|forms/|shared/|domain/)|extensions/|scripts/|test/|bench/)" },
    },
    {
      name: "services-import-no-routes-or-components",
      comment:
        "Services are the use cases under the routes: they import no routes and no components (the form models they share with components live in app/forms).",
      severity: "error",
      from: { path: "^app/services/" },
      to: { path: "^app/(routes|components)/" },
    },
    {
      name: "services-import-no-jobs",
      comment: "Services queue work through app/queue; the worker's handlers (app/jobs) call services, never the other way round.",
      severity: "error",
      from: { path: "^app/services/" },
      to: { path: "^app/jobs/" },
    },
    {
      name: "queue-below-services",
      comment: "app/queue (the Job table, job kinds and keys) sits below the services: it imports no services, jobs, shopify, routes or components.",
      severity: "error",
      from: { path: "^app/queue/" },
      to: { path: "^app/(services|jobs|shopify|routes|components|forms)/" },
    },
    {
      name: "db-imports-nothing-of-the-app",
      comment: "app/db (the database client and its fast-path parts) is the bottom layer: it imports nothing else of the app.",
      severity: "error",
      from: { path: "^app/db/" },
      to: { path: "^app/(?!db/)" },
    },
    {
      name: "extensions-import-only-shared-and-domain",
      comment: "Extensions are bundled for Shopify's sandboxes: of the app they import only app/shared and app/domain.",
      severity: "error",
      from: { path: "^extensions/" },
      to: { path: "^(app/(?!shared/|domain/)|scripts/|test/|bench/)" },
    },
    {
      name: "extensions-are-self-contained",
      comment: "An extension does not import another extension's files (shared code lives in app/shared).",
      severity: "error",
      from: { path: "^extensions/([^/]+)/" },
      to: { path: "^extensions/", pathNot: "^extensions/$1/" },
    },
    {
      name: "app-imports-no-tests-or-tools",
      comment: "Production code never imports tests, benches or scripts (the demo's stand-ins included).",
      severity: "error",
      from: { path: "^(app|extensions)/" },
      to: { path: "^(test|bench|scripts|tools)/" },
    },
    {
      name: "tools-scripts-and-benches-import-no-tests",
      comment: "The demo, the benches and the local tools (tools/: the Shopify stand-in, the local stack) never import test/; tests import tools/.",
      severity: "error",
      from: { path: "^(scripts|bench|tools)/" },
      to: { path: "^test/" },
    },
    {
      name: "imports-resolve",
      comment: "Every import resolves (an unresolved `~/…` path would slip past the rules above).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|generated|build)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".jsx", ".d.ts"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
