import { describe, expect, it } from "vitest";
import { newRowId } from "~/services/recalculation/row-id.server";

/** Ids for rows the batched writers insert: shaped like Prisma's cuid(), so rows written either way look alike. */

describe("newRowId", () => {
  it("is shaped like a Prisma cuid() and unique over a large batch", () => {
    const ids = Array.from({ length: 20_000 }, newRowId);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^c[0-9a-z]{24}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
