-- The full re-tier reads each customer's paid orders together, customer after customer. Rows are stored in the order
-- they arrive (by time), so through the old (shop, customerGid, paidAt) index a customer's ~10 orders cost ~10 table
-- lookups on ~10 pages. This index carries every column the re-tier reads, lines included, so that read is one
-- ordered range of one index (a covering index: SQLite never visits the table). It replaces the old index, whose
-- columns it starts with. docs/fact-layout.md says why this layout and not another.
-- DropIndex
DROP INDEX "OrderFact_shop_customerGid_paidAt_idx";

-- CreateIndex
CREATE INDEX "OrderFact_facts_by_customer_idx" ON "OrderFact"("shop", "customerGid", "paidAt", "orderGid", "test", "cancelledAt", "total", "subtotal", "shipping", "tax", "hasDiscountCode", "channel", "linesJson");
