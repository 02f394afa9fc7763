-- CreateEnum
CREATE TYPE "InboxMessageType" AS ENUM ('TEXT', 'HTML');

-- AlterTable
ALTER TABLE "application" ADD COLUMN     "carrier_domain" TEXT;

-- CreateTable
CREATE TABLE "developer" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secret" BYTEA NOT NULL,
    "callback_url" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "secret_rotated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "developer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "developer_application" (
    "developer_id" INTEGER NOT NULL,
    "application_id" INTEGER NOT NULL,

    CONSTRAINT "developer_application_pkey" PRIMARY KEY ("developer_id","application_id")
);

-- CreateTable
CREATE TABLE "signed_nonce" (
    "developer_key" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "signed_nonce_pkey" PRIMARY KEY ("developer_key","nonce")
);

-- CreateTable
CREATE TABLE "inbox_message" (
    "id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "type" "InboxMessageType" NOT NULL,
    "subject" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "silent" BOOLEAN NOT NULL DEFAULT false,
    "read" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),
    "developer_id" INTEGER,
    "sender" TEXT,
    "push_content" TEXT,
    "acknowledged_at" TIMESTAMPTZ(3),
    "push_due_at" TIMESTAMPTZ(3),
    "push_message_id" UUID,
    "expires_at" TIMESTAMPTZ(3),
    "expired_at" TIMESTAMPTZ(3),

    CONSTRAINT "inbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox_message_application" (
    "message_id" UUID NOT NULL,
    "application_id" INTEGER NOT NULL,

    CONSTRAINT "inbox_message_application_pkey" PRIMARY KEY ("message_id","application_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "developer_key_key" ON "developer"("key");

-- CreateIndex
CREATE INDEX "developer_application_application_id_idx" ON "developer_application"("application_id");

-- CreateIndex
CREATE INDEX "signed_nonce_expires_at_idx" ON "signed_nonce"("expires_at");

-- CreateIndex
CREATE INDEX "inbox_message_user_id_created_at_idx" ON "inbox_message"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "inbox_message_push_due_at_idx" ON "inbox_message"("push_due_at");

-- CreateIndex
CREATE INDEX "inbox_message_expires_at_idx" ON "inbox_message"("expires_at");

-- CreateIndex
CREATE INDEX "inbox_message_push_message_id_idx" ON "inbox_message"("push_message_id");

-- CreateIndex
CREATE INDEX "inbox_message_application_application_id_idx" ON "inbox_message_application"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "application_carrier_domain_key" ON "application"("carrier_domain");

-- AddForeignKey
ALTER TABLE "developer_application" ADD CONSTRAINT "developer_application_developer_id_fkey" FOREIGN KEY ("developer_id") REFERENCES "developer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "developer_application" ADD CONSTRAINT "developer_application_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbox_message" ADD CONSTRAINT "inbox_message_developer_id_fkey" FOREIGN KEY ("developer_id") REFERENCES "developer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbox_message_application" ADD CONSTRAINT "inbox_message_application_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "inbox_message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbox_message_application" ADD CONSTRAINT "inbox_message_application_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;
