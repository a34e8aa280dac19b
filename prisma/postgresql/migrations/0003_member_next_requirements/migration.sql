-- The next level's condition group closest to being met, with the member's measures (the customer `progress`
-- metafield's `next.requirements`); null until the member is next recalculated.
ALTER TABLE "Member" ADD COLUMN "nextRequirementsJson" TEXT;
