-- CreateEnum
CREATE TYPE "MessagePriority" AS ENUM ('HIGH', 'NORMAL');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'SENT', 'FAILED', 'EXPIRED');

-- CreateTable
CREATE TABLE "message" (
    "id" UUID NOT NULL,
    "application_id" INTEGER NOT NULL,
    "user_id" TEXT NOT NULL,
    "activation_id" TEXT,
    "personal" BOOLEAN NOT NULL,
    "silent" BOOLEAN NOT NULL,
    "priority" "MessagePriority" NOT NULL,
    "body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    "failure_reason" TEXT,

    CONSTRAINT "message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_delivery" (
    "message_id" UUID NOT NULL,
    "device_id" BIGINT NOT NULL,
    "platform" "Platform" NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "message_delivery_pkey" PRIMARY KEY ("message_id","device_id")
);

-- CreateIndex
CREATE INDEX "message_application_id_created_at_idx" ON "message"("application_id", "created_at");

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_delivery" ADD CONSTRAINT "message_delivery_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE CASCADE ON UPDATE CASCADE;
