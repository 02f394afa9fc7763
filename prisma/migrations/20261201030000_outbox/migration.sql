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

-- Push fallbacks stored but not finished were queued again at every api start; that resume is
-- gone (the outbox replaces it), so the first start after this migration gets them once more,
-- as before: a repeat is harmless (dispatcher claims), and older ones are too late to matter.
INSERT INTO "outbox" ("kind", "payload")
SELECT 'command', json_build_object(
         'kind', 'message', 'messageId', pm."id"::text, 'applicationId', pm."application_id", 'userId', pm."user_id",
         'personal', false, 'silent', false, 'priority', 'HIGH', 'body', pm."body")
  FROM "inbox_message" m
  JOIN "message" pm ON pm."id" = m."push_message_id"
 WHERE m."developer_id" IS NOT NULL AND pm."completed_at" IS NULL
   AND pm."created_at" >= now() - interval '1 day';
