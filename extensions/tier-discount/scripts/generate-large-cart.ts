/**
 * Builds the large-cart fixture: a Gold member with 10% off lines in two collections, 15% on sale items, and
 * clearance excluded. The expected output comes from the rules below, written independently of the Function, so the
 * fixture checks the Function rather than echoing it.
 * Usage: npx tsx extensions/tier-discount/scripts/generate-large-cart.ts [lines=500]
 * (bench/function.ts builds its 1/100/200/500-line carts with `largeCart` too.)
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { config, goldBenefits, line, linesInput, resetLineIds, variablesOf, LINES_EXPORT, LINES_TARGET } from "../tests/support/function-input";
import type { CartLinesDiscountsGenerateRunInput } from "../generated/api";

const SHOES = "gid://shopify/Collection/10";
const BAGS = "gid://shopify/Collection/20";
const SCOPE = {
  productIds: [],
  collectionIds: [SHOES, BAGS],
  tags: [],
  excludeProductIds: [],
  excludeCollectionIds: [],
  excludeTags: ["clearance"],
};
const CONFIG = config({ gold: goldBenefits({ discount: { scope: SCOPE, saleItemExtra: "5" } }) });
/** What the app writes to `discount-variables` for this configuration, so each line's slots answer as Shopify would. */
const VARIABLES = variablesOf(CONFIG);

export interface LargeCart {
  input: CartLinesDiscountsGenerateRunInput;
  output: unknown;
}

export function largeCart(lineCount: number): LargeCart {
  resetLineIds();
  const lines = [];
  const plain: { cartLine: { id: string } }[] = [];
  const sale: { cartLine: { id: string } }[] = [];
  for (let i = 1; i <= lineCount; i++) {
    const dollars = 10 + (i % 37);
    const cents = i % 100;
    const price = `${dollars}.${cents < 10 ? "0" : ""}${cents}`;
    const onSale = i % 4 === 0;
    const collections = [...(i % 2 === 0 ? [SHOES] : []), ...(i % 3 === 0 ? [BAGS] : [])];
    const clearance = i % 10 === 0;
    const tags = [...(clearance ? ["clearance"] : []), ...(i % 7 === 0 ? ["gift-wrap"] : [])];
    const cartLine = line(
      { price, quantity: 1 + (i % 3), compareAt: onSale ? `${dollars + 5}.${cents < 10 ? "0" : ""}${cents}` : null, collections, tags },
      VARIABLES,
    );
    lines.push(cartLine);
    if (collections.length > 0 && !clearance) (onSale ? sale : plain).push({ cartLine: { id: cartLine.id } });
  }
  const input = linesInput({ config: CONFIG, lines });
  const candidates = [
    ...(plain.length ? [{ message: "Gold member: 10% off", targets: plain, value: { percentage: { value: "10" } } }] : []),
    ...(sale.length ? [{ message: "Gold member: 15% off sale items", targets: sale, value: { percentage: { value: "15" } } }] : []),
  ];
  const output = candidates.length ? { operations: [{ productDiscountsAdd: { selectionStrategy: "ALL", candidates } }] } : { operations: [] };
  return { input, output };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const count = Number(process.argv[2] ?? 500);
  const { input, output } = largeCart(count);
  const file = join(dirname(fileURLToPath(import.meta.url)), `../tests/fixtures/large-cart-${count}-lines.json`);
  writeFileSync(file, `${JSON.stringify({ payload: { export: LINES_EXPORT, target: LINES_TARGET, input, output } })}\n`);
  console.log(`wrote ${file}`);
}
