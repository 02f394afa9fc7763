-- How many users each chunk has, written when the campaign's send plans its chunks: a live
-- campaign's progress (the console polls it) sums the chunks instead of counting the campaign's
-- users. NULL for chunks planned before this column (or by an older api during an upgrade): their
-- campaign's progress counts its users as before.
ALTER TABLE "campaign_chunk" ADD COLUMN "users" INTEGER;
