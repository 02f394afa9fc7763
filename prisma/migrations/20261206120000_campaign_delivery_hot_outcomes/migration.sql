-- Each claim of a campaign (a PENDING row) is updated once, with its outcome. With status in the
-- chunk index (20261202010000) no such update could be HOT: every one wrote a new entry into both
-- of the table's indexes, which autovacuum later cleaned, and the new row version went to another
-- page, a window's claims filling theirs. Now the index is (campaign_id, chunk) alone, and
-- pages are filled to 40%, so a window's outcomes fit beside its claims: every outcome update is
-- HOT, the heap as large as before (the old versions went to new pages, now to the same ones) and
-- the indexes half their size. An outcome is larger than its claim (completed_at, a reason): at
-- 50% 90% of updates were HOT, at 45% all of a window of 'Unregistered' failures; 40% leaves room
-- for a reason of ~40 characters. In the bench (100,000 users, 6 rounds each, interleaved) this
-- took PostgreSQL's CPU from 0.43 to 0.40 of the dispatcher's.
--
-- What the status in the index gave: a chunk's PENDING claims (its completion, the failing of
-- its claims) read from the index alone. They now read the chunk's rows, at most
-- CAMPAIGN_CHUNK_USERS' devices, once per result batch; campaign progress reads the campaign's
-- rows (it did too while they changed: an index-only scan needs pages marked all-visible).
-- The fill factor applies to pages written from now on; existing rows keep theirs.
-- As 20261202010000: built first, dropped last, a lock not had in 10 s fails the migration.
SET LOCAL lock_timeout = '10s';

CREATE INDEX "campaign_delivery_campaign_id_chunk_idx" ON "campaign_delivery"("campaign_id", "chunk");

DROP INDEX "campaign_delivery_campaign_id_chunk_status_idx";

ALTER TABLE "campaign_delivery" SET (fillfactor = 40);
