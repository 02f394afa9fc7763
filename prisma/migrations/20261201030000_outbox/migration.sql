-- Crash-safe delivery: what must be published is written with the state that needs it (outbox),
-- and a message or chunk completes only once its summary arrived and no claim is PENDING.
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSON NOT NULL,
    "publish_after" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "outbox_publish_after_idx" ON "outbox"("publish_after");

ALTER TABLE "message" ADD COLUMN "summary_at" TIMESTAMPTZ(3);
ALTER TABLE "message_delivery" ADD COLUMN "unconfirmed" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "campaign_delivery" ADD COLUMN "unconfirmed" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "campaign_chunk" ADD COLUMN "summary_at" TIMESTAMPTZ(3),
ADD COLUMN "failure_reason" TEXT;
