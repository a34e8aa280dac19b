-- Member state checkpoints: a member's folded state as of a position in their history, so a recalculation continues
-- from it (docs/checkpoints.md). A cache that a fingerprint of the folded facts keeps honest.
-- CreateTable
CREATE TABLE "MemberCheckpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "slot" TEXT NOT NULL,
    "eventCount" INTEGER NOT NULL,
    "lastAt" DATETIME,
    "hash" TEXT NOT NULL,
    "stateJson" TEXT NOT NULL,
    "writtenAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "MemberCheckpoint_shop_customerGid_slot_key" ON "MemberCheckpoint"("shop", "customerGid", "slot");
