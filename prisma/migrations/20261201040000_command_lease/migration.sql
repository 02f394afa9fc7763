-- A redelivered command waits while an earlier holder's lease is live (a NATS outage makes
-- JetStream hand out commands whose holders are alive and sending).
CREATE TABLE "command_lease" (
    "key" TEXT NOT NULL,
    "holder" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "done" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "command_lease_pkey" PRIMARY KEY ("key")
);
