import path from "node:path";
import type { Reporter, RunnerTestFile, RunnerTask } from "vitest";

/**
 * A vitest reporter that ends the run with one line per suite directory that ran, e.g.
 *   security: 1,552 cases, 0 failures
 * A case is one test (each row of a table-driven `it.each`, each generated fuzz case). Suites are the directories
 * under test/ named in SUITES; the line is printed only for suites that had tests in this run.
 *
 *   npx vitest run test/security --reporter=default --reporter=./test/support/security/suite-summary-reporter.ts
 */

const SUITES = ["security", "reliability"];

function tests(task: RunnerTask): RunnerTask[] {
  return task.type === "test" ? [task] : "tasks" in task ? task.tasks.flatMap(tests) : [];
}

export function suiteSummary(files: RunnerTestFile[], root: string): string[] {
  const lines: string[] = [];
  for (const suite of SUITES) {
    const dir = path.join(root, "test", suite) + path.sep;
    const ran = files
      .filter((f) => path.resolve(root, f.filepath).startsWith(dir))
      .flatMap(tests)
      .filter((t) => t.result?.state === "pass" || t.result?.state === "fail");
    // A file that failed to load has no tests but is a failure all the same.
    const broken = files.filter((f) => path.resolve(root, f.filepath).startsWith(dir) && f.result?.state === "fail" && tests(f).length === 0).length;
    if (ran.length === 0 && broken === 0) continue;
    const failures = ran.filter((t) => t.result?.state === "fail").length + broken;
    lines.push(`${suite}: ${ran.length.toLocaleString("en-US")} cases, ${failures.toLocaleString("en-US")} failure${failures === 1 ? "" : "s"}`);
  }
  return lines;
}

/** Summary lines a suite prints itself (the reliability suite counts lost and double-counted events). */
const OWN_SUMMARY = /^(reliability): \d+ fault scenarios, \d+ lost, \d+ double-counted$/;

export default class SuiteSummaryReporter implements Reporter {
  private root = process.cwd();
  private own = new Map<string, string>();

  onUserConsoleLog(log: { content: string }): void {
    for (const line of log.content.split("\n")) {
      const match = OWN_SUMMARY.exec(line.trim());
      if (match) this.own.set(match[1], line.trim());
    }
  }

  onInit(ctx: { config: { root: string } }): void {
    this.root = ctx.config.root;
  }

  onFinished(files: RunnerTestFile[] = []): void {
    for (const line of suiteSummary(files, this.root)) process.stdout.write(`${line}\n`);
    for (const line of this.own.values()) process.stdout.write(`${line}\n`);
  }
}
