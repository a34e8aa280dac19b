-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "plan" TEXT NOT NULL DEFAULT 'basic',
    "levelCap" INTEGER,
    "rewardsFrom" TIMESTAMP(3),
    "backfilledAt" TIMESTAMP(3),
    "settingsJson" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProgramVersion" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "programJson" TEXT NOT NULL,
    "publishAt" TIMESTAMP(3),
    "publishedAt" TIMESTAMP(3),
    "error" TEXT,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProgramVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Level" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "levelId" TEXT NOT NULL,
    "programVersionId" TEXT,
    "name" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "internalOnly" BOOLEAN NOT NULL DEFAULT false,
    "badge" TEXT NOT NULL DEFAULT 'star',
    "background" TEXT NOT NULL DEFAULT '#1f2937',
    "textColor" TEXT NOT NULL DEFAULT '#ffffff',
    "levelColor" TEXT NOT NULL DEFAULT '#d4af37',
    "hideDates" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Level_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Benefit" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "levelId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "configJson" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Benefit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Member" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "phone" TEXT,
    "levelId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'none',
    "levelSince" TIMESTAMP(3),
    "levelExpiresAt" TIMESTAMP(3),
    "graceEndsAt" TIMESTAMP(3),
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "points" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "pointsEarned" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "spend" BIGINT NOT NULL DEFAULT 0,
    "nextLevelId" TEXT,
    "remainingSpend" BIGINT,
    "remainingPoints" DOUBLE PRECISION,
    "orderCount" INTEGER NOT NULL DEFAULT 0,
    "reviewAt" TIMESTAMP(3),
    "evaluatedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),
    "redactedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderFact" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "customerGid" TEXT,
    "name" TEXT,
    "paidAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "financialStatus" TEXT,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "channel" TEXT,
    "currency" TEXT NOT NULL,
    "total" BIGINT NOT NULL,
    "subtotal" BIGINT NOT NULL,
    "shipping" BIGINT NOT NULL,
    "tax" BIGINT NOT NULL,
    "hasDiscountCode" BOOLEAN NOT NULL DEFAULT false,
    "linesJson" TEXT NOT NULL,
    "sourceUpdatedAt" TIMESTAMP(3) NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'webhook',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderFact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RefundFact" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "refundGid" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "customerGid" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "linesJson" TEXT NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RefundFact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MemberAdjustment" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "levelId" TEXT,
    "lock" BOOLEAN NOT NULL DEFAULT false,
    "points" DOUBLE PRECISION,
    "note" TEXT,
    "key" TEXT NOT NULL,
    "actor" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MemberAdjustment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PointsEntry" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" DOUBLE PRECISION NOT NULL,
    "reversesKey" TEXT,
    "orderGid" TEXT,
    "note" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PointsEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LevelChange" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "fromLevelId" TEXT,
    "toLevelId" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "levelExpiresAt" TIMESTAMP(3),
    "reasonJson" TEXT NOT NULL,
    "retractedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LevelChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookInbox" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "eventId" TEXT,
    "apiVersion" TEXT,
    "triggeredAt" TIMESTAMP(3),
    "payload" TEXT NOT NULL,
    "customerGid" TEXT,
    "orderGid" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'received',
    "touchedJson" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "WebhookInbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "shop" TEXT,
    "key" TEXT,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "leaseUntil" TIMESTAMP(3),
    "lockedBy" TEXT,
    "lastError" TEXT,
    "backoffMs" INTEGER NOT NULL DEFAULT 2000,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncState" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "pendingHash" TEXT,
    "syncedHash" TEXT,
    "syncedLevelId" TEXT,
    "lastSyncedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "bulkOperationId" TEXT,
    "bulkOperationType" TEXT,
    "bulkStatus" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");

-- CreateIndex
CREATE INDEX "ProgramVersion_shop_status_idx" ON "ProgramVersion"("shop", "status");

-- CreateIndex
CREATE INDEX "ProgramVersion_shop_publishedAt_idx" ON "ProgramVersion"("shop", "publishedAt");

-- CreateIndex
CREATE INDEX "Level_shop_rank_idx" ON "Level"("shop", "rank");

-- CreateIndex
CREATE UNIQUE INDEX "Level_shop_levelId_key" ON "Level"("shop", "levelId");

-- CreateIndex
CREATE UNIQUE INDEX "Benefit_shop_levelId_kind_position_key" ON "Benefit"("shop", "levelId", "kind", "position");

-- CreateIndex
CREATE INDEX "Member_shop_levelId_idx" ON "Member"("shop", "levelId");

-- CreateIndex
CREATE INDEX "Member_shop_reviewAt_idx" ON "Member"("shop", "reviewAt");

-- CreateIndex
CREATE INDEX "Member_shop_email_idx" ON "Member"("shop", "email");

-- CreateIndex
CREATE INDEX "Member_shop_createdAt_idx" ON "Member"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Member_shop_customerGid_key" ON "Member"("shop", "customerGid");

-- CreateIndex
CREATE INDEX "OrderFact_shop_customerGid_paidAt_idx" ON "OrderFact"("shop", "customerGid", "paidAt");

-- CreateIndex
CREATE UNIQUE INDEX "OrderFact_shop_orderGid_key" ON "OrderFact"("shop", "orderGid");

-- CreateIndex
CREATE INDEX "RefundFact_shop_orderGid_idx" ON "RefundFact"("shop", "orderGid");

-- CreateIndex
CREATE INDEX "RefundFact_shop_customerGid_idx" ON "RefundFact"("shop", "customerGid");

-- CreateIndex
CREATE UNIQUE INDEX "RefundFact_shop_refundGid_key" ON "RefundFact"("shop", "refundGid");

-- CreateIndex
CREATE INDEX "MemberAdjustment_shop_customerGid_at_idx" ON "MemberAdjustment"("shop", "customerGid", "at");

-- CreateIndex
CREATE UNIQUE INDEX "MemberAdjustment_shop_key_key" ON "MemberAdjustment"("shop", "key");

-- CreateIndex
CREATE INDEX "PointsEntry_shop_memberId_at_idx" ON "PointsEntry"("shop", "memberId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "PointsEntry_shop_idempotencyKey_key" ON "PointsEntry"("shop", "idempotencyKey");

-- CreateIndex
CREATE INDEX "LevelChange_shop_at_idx" ON "LevelChange"("shop", "at");

-- CreateIndex
CREATE UNIQUE INDEX "LevelChange_shop_memberId_at_toLevelId_key" ON "LevelChange"("shop", "memberId", "at", "toLevelId");

-- CreateIndex
CREATE INDEX "WebhookInbox_shop_status_receivedAt_idx" ON "WebhookInbox"("shop", "status", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookInbox_shop_customerGid_idx" ON "WebhookInbox"("shop", "customerGid");

-- CreateIndex
CREATE INDEX "WebhookInbox_shop_orderGid_idx" ON "WebhookInbox"("shop", "orderGid");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookInbox_shop_webhookId_key" ON "WebhookInbox"("shop", "webhookId");

-- CreateIndex
CREATE UNIQUE INDEX "Job_key_key" ON "Job"("key");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");

-- CreateIndex
CREATE INDEX "Job_shop_type_status_idx" ON "Job"("shop", "type", "status");

-- CreateIndex
CREATE UNIQUE INDEX "SyncState_shop_subject_key" ON "SyncState"("shop", "subject");

-- AddForeignKey
ALTER TABLE "Level" ADD CONSTRAINT "Level_programVersionId_fkey" FOREIGN KEY ("programVersionId") REFERENCES "ProgramVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PointsEntry" ADD CONSTRAINT "PointsEntry_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LevelChange" ADD CONSTRAINT "LevelChange_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

