-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('APNS', 'FCM');

-- CreateEnum
CREATE TYPE "ApnsEnvironment" AS ENUM ('SANDBOX', 'PRODUCTION');

-- CreateEnum
CREATE TYPE "ActivationStatus" AS ENUM ('CREATED', 'PENDING_COMMIT', 'ACTIVE', 'BLOCKED', 'REMOVED');

-- CreateTable
CREATE TABLE "application" (
    "id" SERIAL NOT NULL,
    "app_id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "apns_bundle" TEXT,
    "apns_key_id" TEXT,
    "apns_team_id" TEXT,
    "apns_environment" "ApnsEnvironment",
    "apns_private_key" BYTEA,
    "fcm_project_id" TEXT,
    "fcm_service_account" BYTEA,
    "credentials_version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "application_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "device" (
    "id" BIGSERIAL NOT NULL,
    "application_id" INTEGER NOT NULL,
    "push_token" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "environment" "ApnsEnvironment",
    "last_registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "device_activation" (
    "id" BIGSERIAL NOT NULL,
    "application_id" INTEGER NOT NULL,
    "device_id" BIGINT NOT NULL,
    "activation_id" TEXT NOT NULL,
    "user_id" TEXT,
    "activation_status" "ActivationStatus" NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "device_activation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "application_app_id_key" ON "application"("app_id");

-- CreateIndex
CREATE UNIQUE INDEX "device_application_id_push_token_key" ON "device"("application_id", "push_token");

-- CreateIndex
CREATE INDEX "device_activation_application_id_user_id_idx" ON "device_activation"("application_id", "user_id");

-- CreateIndex
CREATE INDEX "device_activation_activation_id_idx" ON "device_activation"("activation_id");

-- CreateIndex
CREATE INDEX "device_activation_device_id_idx" ON "device_activation"("device_id");

-- CreateIndex
CREATE UNIQUE INDEX "device_activation_application_id_activation_id_key" ON "device_activation"("application_id", "activation_id");

-- AddForeignKey
ALTER TABLE "device" ADD CONSTRAINT "device_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "device_activation" ADD CONSTRAINT "device_activation_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "device_activation" ADD CONSTRAINT "device_activation_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE CASCADE;
