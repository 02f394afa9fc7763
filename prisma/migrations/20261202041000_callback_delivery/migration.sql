-- What became of each callback to a developer's server, for the admin console: until now a
-- callback lived only in the outbox and the JetStream stream, gone once it was accepted or given
-- up (a log line said which). A row is written in the statement that queues the callback and
-- updated after every attempt; it holds no body, URL, secret or signature. Callbacks queued before
-- this migration have no row (their attempts update nothing). No foreign key to developer: the
-- row must never fail the statement that queues its callback.

-- CreateEnum
CREATE TYPE "CallbackStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateTable
CREATE TABLE "callback_delivery" (
    "id" BIGSERIAL NOT NULL,
    "developer_id" INTEGER NOT NULL,
    "event_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "status" "CallbackStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "callback_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "callback_delivery_developer_id_id_idx" ON "callback_delivery"("developer_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "callback_delivery_developer_id_event_id_key" ON "callback_delivery"("developer_id", "event_id");
