import type { z } from "zod";
import type { DbOrTx } from "~/db/client.server";

/**
 * A kind of benefit as saved per level (Benefit rows, `configJson`), read with the schema its rewards need. Rows that
 * do not parse (hand-edited, or saved by an older form) are left out: the level then gives no such reward, which the
 * benefits form shows when reopened.
 */
export async function loadBenefitConfigs<S extends z.ZodType>(db: DbOrTx, shop: string, kind: string, schema: S): Promise<Map<string, z.output<S>>> {
  const rows = await db.benefit.findMany({ where: { shop, kind }, select: { levelId: true, configJson: true } });
  const out = new Map<string, z.output<S>>();
  for (const r of rows) {
    let json: unknown;
    try {
      json = JSON.parse(r.configJson);
    } catch {
      continue;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) out.set(r.levelId, parsed.data);
  }
  return out;
}
