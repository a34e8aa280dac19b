-- Rewards (welcome, birthday, redeemed points), Flow events sent after commit, the member's birthday, and the
-- collections and tags of live orders' lines (ProductScope cache, OrderFact.scopeState). Orders imported by the
-- backfill already carry their lines' collections and tags. (No semicolon in these comments: the pg driver adapter
-- splits a migration script at every one.)
-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "birthday" TEXT,
ADD COLUMN     "birthdaySetAt" TIMESTAMP(3),
ADD COLUMN     "birthdaySource" TEXT;

-- AlterTable
ALTER TABLE "OrderFact" ADD COLUMN     "scopeAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "scopeState" TEXT NOT NULL DEFAULT 'unresolved';
UPDATE "OrderFact" SET "scopeState" = 'resolved' WHERE "source" = 'backfill';

-- CreateTable
CREATE TABLE "Reward" (
    "id" TEXT NOT NULL,
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
    "points" DOUBLE PRECISION,
    "code" TEXT,
    "discountGid" TEXT,
    "creditGid" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "issuedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Reward_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlowEvent" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FlowEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductScope" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "productGid" TEXT NOT NULL,
    "collectionIds" TEXT NOT NULL,
    "tags" TEXT NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,
    "staleAt" TIMESTAMP(3),

    CONSTRAINT "ProductScope_pkey" PRIMARY KEY ("id")
);

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

-- AddForeignKey
ALTER TABLE "Reward" ADD CONSTRAINT "Reward_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;
