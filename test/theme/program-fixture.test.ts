import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseProgram } from "~/domain/index";
import { buildTierProgram } from "~/shared/tier-metafield-builder";
import type { TierBenefitItemV1, TierCardV1, TierProgramV1 } from "~/shared/tier-metafield";

/**
 * The theme tests' programme fixture (fixtures/program.json) is what the app's own builder writes on publish for the
 * demo shop's programme (scripts/demo/program.json): the same levels, conditions, windows and validity, with the
 * demo's cards and benefit items as the shop shows them. If the builder or the demo programme changes, this fails
 * and the fixture is regenerated from the builder, so the Liquid is never tested against a shape the app does not write.
 */

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));

describe("the theme tests' programme fixture", () => {
  it("equals the builder's output for the demo programme", () => {
    const fixture = read("test/theme/fixtures/program.json") as TierProgramV1;
    const demo = read("scripts/demo/program.json") as { levels: { id: string; name: string; rank: number; card: Partial<TierCardV1> }[] };
    const built = buildTierProgram(parseProgram(demo), {
      currency: "USD",
      levels: new Map(demo.levels.map((l) => [l.id, { name: l.name, rank: l.rank, card: l.card }])),
      benefits: new Map<string, readonly TierBenefitItemV1[]>(fixture.levels.map((l) => [l.id, l.benefits])),
    });
    expect(built).toEqual(fixture);
  });
});
