-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
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
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "plan" TEXT NOT NULL DEFAULT 'basic',
    "levelCap" INTEGER,
    "rewardsFrom" DATETIME,
    "backfilledAt" DATETIME,
    "settingsJson" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ProgramVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "programJson" TEXT NOT NULL,
    "publishAt" DATETIME,
    "publishedAt" DATETIME,
    "error" TEXT,
    "createdBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Level" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Level_programVersionId_fkey" FOREIGN KEY ("programVersionId") REFERENCES "ProgramVersion" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Benefit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "levelId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "configJson" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Member" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "phone" TEXT,
    "levelId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'none',
    "levelSince" DATETIME,
    "levelExpiresAt" DATETIME,
    "graceEndsAt" DATETIME,
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "points" REAL NOT NULL DEFAULT 0,
    "pointsEarned" REAL NOT NULL DEFAULT 0,
    "spend" INTEGER NOT NULL DEFAULT 0,
    "nextLevelId" TEXT,
    "remainingSpend" INTEGER,
    "remainingPoints" REAL,
    "orderCount" INTEGER NOT NULL DEFAULT 0,
    "reviewAt" DATETIME,
    "evaluatedAt" DATETIME,
    "deletedAt" DATETIME,
    "redactedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "OrderFact" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "customerGid" TEXT,
    "name" TEXT,
    "paidAt" DATETIME,
    "cancelledAt" DATETIME,
    "financialStatus" TEXT,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "channel" TEXT,
    "currency" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "subtotal" INTEGER NOT NULL,
    "shipping" INTEGER NOT NULL,
    "tax" INTEGER NOT NULL,
    "hasDiscountCode" BOOLEAN NOT NULL DEFAULT false,
    "linesJson" TEXT NOT NULL,
    "sourceUpdatedAt" DATETIME NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'webhook',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RefundFact" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "refundGid" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "customerGid" TEXT,
    "createdAt" DATETIME NOT NULL,
    "amount" INTEGER NOT NULL,
    "linesJson" TEXT NOT NULL,
    "recordedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "MemberAdjustment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "levelId" TEXT,
    "lock" BOOLEAN NOT NULL DEFAULT false,
    "points" REAL,
    "note" TEXT,
    "key" TEXT NOT NULL,
    "actor" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PointsEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" REAL NOT NULL,
    "reversesKey" TEXT,
    "orderGid" TEXT,
    "note" TEXT,
    "at" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PointsEntry_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LevelChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "fromLevelId" TEXT,
    "toLevelId" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "levelExpiresAt" DATETIME,
    "reasonJson" TEXT NOT NULL,
    "retractedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LevelChange_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WebhookInbox" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "eventId" TEXT,
    "apiVersion" TEXT,
    "triggeredAt" DATETIME,
    "payload" TEXT NOT NULL,
    "customerGid" TEXT,
    "orderGid" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'received',
    "touchedJson" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "shop" TEXT,
    "key" TEXT,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "leaseUntil" DATETIME,
    "lockedBy" TEXT,
    "lastError" TEXT,
    "backoffMs" INTEGER NOT NULL DEFAULT 2000,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "SyncState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "pendingHash" TEXT,
    "syncedHash" TEXT,
    "syncedLevelId" TEXT,
    "lastSyncedAt" DATETIME,
    "lastError" TEXT,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "bulkOperationId" TEXT,
    "bulkOperationType" TEXT,
    "bulkStatus" TEXT,
    "updatedAt" DATETIME NOT NULL
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

