import type { DbOrTx } from "~/db/client.server";
import type { OrderLine } from "~/domain";
import { compileProgram, type ScopeMatcher } from "~/domain/compiled-program";
import { programUsesScopes, readsCatalog } from "~/domain/program-scopes";
import { levelChangeText } from "./admin/audit-trail";
import { currentProgram, loadShopContext } from "./shop-context.server";

/**
 * For the demo's summary: the newest level move that a live order (an orders/paid webhook, its lines resolved by the
 * worker) made through a condition scoped by collection or tag, with the order's lines, the collections and tags the
 * worker read for them, and whether the scope counted each. Titles come from the caller (the stand-in's store).
 */

export interface ScopedLiveOrderShowcase {
  /** A move was found (else `lines` says why not). */
  found: boolean;
  lines: string[];
}

const none = (xs: string[]) => (xs.length ? xs.join(", ") : "—");

export async function scopedLiveOrderShowcase(
  db: DbOrTx,
  shop: string,
  titles: { product?: (gid: string) => string | undefined; collection?: (gid: string) => string | undefined } = {},
): Promise<ScopedLiveOrderShowcase> {
  const ctx = await loadShopContext(db, shop);
  const program = currentProgram(ctx);
  if (!program || !programUsesScopes(program)) {
    return { found: false, lines: ["Scoped conditions: the published programme scopes no condition by collection or tag."] };
  }
  const cp = compileProgram(program);
  // Per level, its upgrade groups with a condition scoped by collection or tag, and those conditions' scopes.
  const matchers = new Map<string, Map<number, ScopeMatcher[]>>();
  for (const level of cp.levels) {
    const groups = new Map<number, ScopeMatcher[]>();
    for (const g of level.upgradeGroups) {
      const scoped = g.conditions.filter((c) => c.scoped && readsCatalog(c.source.scope));
      if (scoped.length) groups.set(g.index, scoped.map((c) => cp.scopes[cp.metrics[c.metric].scope]).filter(Boolean));
    }
    if (groups.size) matchers.set(level.id, groups);
  }
  const changes = await db.levelChange.findMany({
    where: { shop, retractedAt: null, toLevelId: { in: [...matchers.keys()] } },
    orderBy: { at: "desc" },
    take: 200,
  });
  const names = new Map(program.levels.map((l) => [l.id, l.name]));
  const productTitle = (gid: string) => titles.product?.(gid) ?? gid;
  const collectionTitle = (gid: string) => titles.collection?.(gid) ?? gid;
  // Only moves made by such a group (not by spend alone, nor by a group scoped by product ids).
  const scopesOf = (change: (typeof changes)[number]): ScopeMatcher[] | undefined => {
    const reason = JSON.parse(change.reasonJson) as { kind?: string; met?: { set?: string; groupIndex?: number } | null };
    if (reason.kind !== "conditionsMet" || reason.met?.set !== "upgrade" || reason.met.groupIndex === undefined) return undefined;
    return matchers.get(change.toLevelId)?.get(reason.met.groupIndex);
  };
  for (const change of changes) {
    const scopes = scopesOf(change);
    if (!scopes) continue;
    const member = await db.member.findUnique({ where: { id: change.memberId } });
    if (!member) continue;
    const orders = await db.orderFact.findMany({
      where: { shop, customerGid: member.customerGid, source: "webhook", scopeState: "resolved", paidAt: { not: null, lte: change.at } },
      orderBy: { paidAt: "desc" },
    });
    for (const order of orders) {
      const lines = JSON.parse(order.linesJson) as OrderLine[];
      const counted = (l: OrderLine) => !l.giftCard && scopes.some((s) => s.matches(l));
      if (!lines.some(counted)) continue;
      const who = [member.firstName, member.lastName].filter(Boolean).join(" ") || member.email || member.customerGid;
      return {
        found: true,
        lines: [
          `Scoped condition on a live order: ${who} ${levelChangeText(change, names, ctx.currency)}`,
          `  ${order.name ?? order.orderGid} (live, paid ${order.paidAt!.toISOString().slice(0, 10)}): collections and tags the worker read for its lines`,
          ...lines.map(
            (l) =>
              `    ${productTitle(l.productId)} × ${l.quantity}: collections ${none(l.collectionIds.map(collectionTitle))}; tags ${none(l.tags)}; ${counted(l) ? "counted by the scope" : "not in the scope"}`,
          ),
        ],
      };
    }
  }
  return { found: false, lines: ["Scoped conditions: no live order has moved a member through a collection or tag scope yet."] };
}
