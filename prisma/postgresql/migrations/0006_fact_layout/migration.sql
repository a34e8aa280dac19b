-- The full re-tier reads each customer's paid orders together, customer after customer. Rows are stored in the order
-- they arrive (by time), so through the old (shop, customerGid, paidAt) index a customer's ~10 orders cost ~10 heap
-- fetches on ~10 pages. PostgreSQL cannot keep a table clustered (CLUSTER is one-off) and an index entry holds at most
-- about 2.7 kB, too little for an order's lines. So each order also carries its line measures, computed by the
-- database from linesJson whatever writes the row (a stored generated column, not in the Prisma schema so no client
-- can write it), and a covering index holds every column the re-tier reads except the lines. The re-tier is then an
-- index-only scan, and fetches the lines of the few orders that need them (a refund given by lines, or a scoped
-- condition). docs/fact-layout.md says why this layout and not another.

-- [line count, non-gift-card line count, their value (sum of price times quantity), their units, gift-card value]:
-- what the rules engine reads from an order's lines when no condition is scoped. NULL when a line is not plain
-- (quantity or price missing, fractional, negative quantity, out of range, or giftCard not a boolean) or when
-- linesJson is not an array: the reader then takes the lines themselves.
CREATE FUNCTION "tierline_line_measures"(lines text) RETURNS bigint[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE
           WHEN jsonb_typeof(lines::jsonb) <> 'array' THEN NULL
           WHEN bool_or(q IS NULL OR p IS NULL OR q < 0 OR q > 1000000000 OR abs(p) > 1000000000000000 OR q <> trunc(q) OR p <> trunc(p)
                        OR (g IS NOT NULL AND jsonb_typeof(g) NOT IN ('boolean', 'null'))) THEN NULL
           ELSE ARRAY[count(*),
                      count(*) FILTER (WHERE g IS DISTINCT FROM 'true'::jsonb),
                      coalesce(sum(p * q) FILTER (WHERE g IS DISTINCT FROM 'true'::jsonb), 0),
                      coalesce(sum(q) FILTER (WHERE g IS DISTINCT FROM 'true'::jsonb), 0),
                      coalesce(sum(p * q) FILTER (WHERE g = 'true'::jsonb), 0)]::bigint[]
         END
    FROM (SELECT CASE WHEN jsonb_typeof(e -> 'quantity') = 'number' THEN (e ->> 'quantity')::numeric END AS q,
                 CASE WHEN jsonb_typeof(e -> 'price') = 'number' THEN (e ->> 'price')::numeric END AS p,
                 e -> 'giftCard' AS g
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(lines::jsonb) = 'array' THEN lines::jsonb ELSE '[]'::jsonb END) AS e) AS l
$$;

-- AlterTable
ALTER TABLE "OrderFact" ADD COLUMN "lineMeasures" BIGINT[] GENERATED ALWAYS AS ("tierline_line_measures"("linesJson")) STORED;

-- DropIndex
DROP INDEX "OrderFact_shop_customerGid_paidAt_idx";

-- CreateIndex
CREATE INDEX "OrderFact_facts_by_customer_idx" ON "OrderFact"("shop", "customerGid", "paidAt") INCLUDE ("orderGid", "test", "cancelledAt", "total", "subtotal", "shipping", "tax", "hasDiscountCode", "channel", "lineMeasures");
