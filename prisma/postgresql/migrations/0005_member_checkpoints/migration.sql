-- Member state checkpoints: a member's folded state as of a position in their history, so a recalculation continues
-- from it (docs/checkpoints.md). A cache that a fingerprint of the folded facts keeps honest.
-- CreateTable
CREATE TABLE "MemberCheckpoint" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "slot" TEXT NOT NULL,
    "eventCount" INTEGER NOT NULL,
    "lastAt" TIMESTAMP(3),
    "hash" TEXT NOT NULL,
    "stateJson" TEXT NOT NULL,
    "writtenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MemberCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MemberCheckpoint_shop_customerGid_slot_key" ON "MemberCheckpoint"("shop", "customerGid", "slot");
