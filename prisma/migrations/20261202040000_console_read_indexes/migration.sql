-- The console's reads page newest first with a keyset (an opaque cursor naming the last row seen):
-- an application's messages by (created_at, id), a user's activations by id. With the id as the
-- index's last column each page is read straight off the index from the cursor on, whatever the
-- table holds; without it every page of a busy application sorted all of its messages up to the
-- cursor. Each new index serves every look-up its predecessor served (it has the same leading
-- columns), so the old ones go. The new ones are built first (their locks stop writes to the
-- tables for the time it takes, not reads) and the old ones dropped last: DROP INDEX locks out
-- reads too, until the migration's transaction commits. A lock not had within 10 s fails the
-- migration (the api's start) rather than queue every query behind it.
SET LOCAL lock_timeout = '10s';

-- CreateIndex
CREATE INDEX "device_activation_application_id_user_id_id_idx" ON "device_activation"("application_id", "user_id", "id");

-- CreateIndex
CREATE INDEX "message_application_id_created_at_id_idx" ON "message"("application_id", "created_at", "id");

-- DropIndex
DROP INDEX "device_activation_application_id_user_id_idx";

-- DropIndex
DROP INDEX "message_application_id_created_at_idx";
