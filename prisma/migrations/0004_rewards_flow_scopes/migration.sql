-- Rewards (welcome, birthday, redeemed points), Flow events sent after commit, the member's birthday, and the
-- collections and tags of live orders' lines (ProductScope cache, OrderFact.scopeState). Orders imported by the
-- backfill already carry their lines' collections and tags. (No semicolon in these comments: the pg driver adapter
-- splits a migration script at every one.)
-- AlterTable
ALTER TABLE "Member" ADD COLUMN "birthday" TEXT;
ALTER TABLE "Member" ADD COLUMN "birthdaySetAt" DATETIME;
ALTER TABLE "Member" ADD COLUMN "birthdaySource" TEXT;

-- CreateTable
CREATE TABLE "Reward" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "levelId" TEXT,
    "form" TEXT NOT NULL,
    "valueType" TEXT,
    "value" TEXT,
    "currency" TEXT,
    "points" REAL,
    "code" TEXT,
    "discountGid" TEXT,
    "creditGid" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "at" DATETIME NOT NULL,
    "startsAt" DATETIME,
    "endsAt" DATETIME,
    "issuedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Reward_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlowEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "at" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ProductScope" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "productGid" TEXT NOT NULL,
    "collectionIds" TEXT NOT NULL,
    "tags" TEXT NOT NULL,
    "fetchedAt" DATETIME NOT NULL,
    "staleAt" DATETIME
);

-- AlterTable
ALTER TABLE "OrderFact" ADD COLUMN "scopeState" TEXT NOT NULL DEFAULT 'unresolved';
ALTER TABLE "OrderFact" ADD COLUMN "scopeAttempts" INTEGER NOT NULL DEFAULT 0;
UPDATE "OrderFact" SET "scopeState" = 'resolved' WHERE "source" = 'backfill';


-- CreateIndex
CREATE INDEX "Reward_shop_memberId_idx" ON "Reward"("shop", "memberId");

-- CreateIndex
CREATE INDEX "Reward_shop_status_idx" ON "Reward"("shop", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Reward_shop_key_key" ON "Reward"("shop", "key");

-- CreateIndex
CREATE INDEX "FlowEvent_shop_status_idx" ON "FlowEvent"("shop", "status");

-- CreateIndex
CREATE UNIQUE INDEX "FlowEvent_shop_key_key" ON "FlowEvent"("shop", "key");

-- CreateIndex
CREATE UNIQUE INDEX "ProductScope_shop_productGid_key" ON "ProductScope"("shop", "productGid");
