-- The one-time upgrade of sealed secrets from format 1 (AES-256-GCM under MASTER_KEY itself, bound
-- to no place) to format 2 (bound to column and row), recorded so that it happens once. Until it
-- is recorded, the api re-seals every version-1 value when it starts; from then on a version-1
-- value is refused everywhere, never re-sealed: one planted from an old backup into another row
-- would otherwise come out bound to that row (see packages/db/src/secrets/legacy-migration.ts).
--
-- One row, id 1: the code reads and writes only that one (no CHECK constraint: the WASM schema
-- engine behind the drift test cannot describe one). `version_1_retired_at` NULL: the database
-- held version-1 values when this ran; the next api start (or master-key rotation) re-seals them
-- and sets it. A database holding none (a new one, or one an earlier api already re-sealed) is
-- marked here, so it never accepts a version-1 value. The sealed columns are those of
-- packages/db/src/secrets/sealed-places.ts; a version-1 value starts with the byte 1 and is at
-- least 29 bytes long (version, IV, GCM tag).

-- CreateTable
CREATE TABLE "sealed_secret_format" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version_1_retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "sealed_secret_format_pkey" PRIMARY KEY ("id")
);

INSERT INTO "sealed_secret_format" ("id", "version_1_retired_at")
SELECT 1, CASE WHEN EXISTS (
    SELECT 1 FROM "application"
     WHERE (length("apns_private_key") >= 29 AND substring("apns_private_key" from 1 for 1) = '\x01'::bytea)
        OR (length("fcm_service_account") >= 29 AND substring("fcm_service_account" from 1 for 1) = '\x01'::bytea)
  ) OR EXISTS (
    SELECT 1 FROM "developer" WHERE length("secret") >= 29 AND substring("secret" from 1 for 1) = '\x01'::bytea
  ) THEN NULL ELSE CURRENT_TIMESTAMP END;
