-- Every statement the sending of a campaign chunk runs on campaign_delivery names its chunk: the
-- dispatcher's look-up of the chunk's earlier claims (resolve-devices.ts), the PENDING claims of a
-- window it claimed (claims.ts), the recorder's "is any claim of the chunk still PENDING" (the
-- chunk's completion) and the failing of a chunk's PENDING claims. Over (campaign_id, status) each
-- of them read every delivery of the campaign, or every PENDING index entry of it (the dead ones of
-- claims since answered included): work per chunk that grows with the campaign, quadratic over a
-- send (PostgreSQL's CPU per notification rose from ~100 µs at 100,000 users to 407 µs at
-- 1,000,000). With the chunk in the index each reads its own chunk's entries only. A campaign's
-- progress (devices by status) reads the campaign_id prefix of this index as it read the old one's.
-- The new index is built first (its lock stops writes to the table, not reads) and the old one
-- dropped last: DROP INDEX locks out reads too, until the migration's transaction commits. A lock
-- not had within 10 s fails the migration (the api's start) rather than queue every query behind it.
SET LOCAL lock_timeout = '10s';

CREATE INDEX "campaign_delivery_campaign_id_chunk_status_idx" ON "campaign_delivery"("campaign_id", "chunk", "status");

DROP INDEX "campaign_delivery_campaign_id_status_idx";
