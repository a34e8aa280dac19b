// npm run scenario -- <file.json>: the engine's public contract (docs/scenario-format.md).
// Prints one JSON object on stdout; on bad input prints one line naming the bad field on stderr and exits 1.
// No Node version check here: the engine is pure TypeScript and loads nothing native, so it runs on any Node tsx runs on.
import { readFileSync } from "node:fs";
import { DomainValidationError, runScenario } from "../app/domain/index.ts";

function die(message: string): never {
  process.stderr.write(`${message.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
}

const file = process.argv[2];
if (!file) die("usage: npm run scenario -- <scenario.json>");

let text: string;
try {
  text = readFileSync(file, "utf8");
} catch (err) {
  die(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}

let json: unknown;
try {
  json = JSON.parse(text);
} catch (err) {
  die(`invalid scenario: ${file} is not valid JSON (${(err as Error).message})`);
}

try {
  process.stdout.write(`${JSON.stringify(runScenario(json), null, 2)}\n`);
} catch (err) {
  if (err instanceof DomainValidationError) die(`invalid scenario: ${err.path ? `${err.path}: ` : ""}${err.detail} (${err.code})`);
  die(`scenario failed: ${(err as Error).message}`);
}
