-- CreateTable
CREATE TABLE "campaign" (
    "id" BIGSERIAL NOT NULL,
    "application_id" INTEGER NOT NULL,
    "message" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "published_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_user" (
    "campaign_id" BIGINT NOT NULL,
    "user_id" TEXT NOT NULL,

    CONSTRAINT "campaign_user_pkey" PRIMARY KEY ("campaign_id","user_id")
);

-- CreateTable
CREATE TABLE "campaign_chunk" (
    "campaign_id" BIGINT NOT NULL,
    "chunk" INTEGER NOT NULL,
    "after_user_id" TEXT,
    "last_user_id" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "campaign_chunk_pkey" PRIMARY KEY ("campaign_id","chunk")
);

-- CreateTable
CREATE TABLE "campaign_delivery" (
    "campaign_id" BIGINT NOT NULL,
    "device_id" BIGINT NOT NULL,
    "chunk" INTEGER NOT NULL,
    "platform" "Platform" NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "campaign_delivery_pkey" PRIMARY KEY ("campaign_id","device_id")
);

-- CreateIndex
CREATE INDEX "campaign_application_id_idx" ON "campaign"("application_id");

-- CreateIndex
CREATE INDEX "campaign_delivery_campaign_id_status_idx" ON "campaign_delivery"("campaign_id", "status");

-- AddForeignKey
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_user" ADD CONSTRAINT "campaign_user_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_chunk" ADD CONSTRAINT "campaign_chunk_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_delivery" ADD CONSTRAINT "campaign_delivery_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
