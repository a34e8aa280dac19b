-- The next level's condition group closest to being met, with the member's measures (the customer `progress`
-- metafield's `next.requirements`), null until the member is next recalculated. (No semicolon in these comments:
-- the pg driver adapter splits a migration script at every one.)
ALTER TABLE "Member" ADD COLUMN "nextRequirementsJson" TEXT;
