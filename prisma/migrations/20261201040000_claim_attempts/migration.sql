-- Claims are made one window ahead of their requests: a claim is marked attempted once its request
-- was made, so a later holder of the command sends the unmarked ones again instead of reporting
-- a notification nobody may have received.
ALTER TABLE "message_delivery" ADD COLUMN "attempted" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "campaign_delivery" ADD COLUMN "attempted" BOOLEAN NOT NULL DEFAULT false;
