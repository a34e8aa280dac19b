-- The backfill records when Shopify's 60-day order window (read_all_orders not granted) cut its history short.
ALTER TABLE "Shop" ADD COLUMN "backfillOrdersFrom" DATETIME;
