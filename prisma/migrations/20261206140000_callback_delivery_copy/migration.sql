-- Callback retries wait in the outbox instead of the callback consumer's acknowledgement window,
-- each as a copy of its own: the record names the copy queued last, and any other copy is dropped.
ALTER TABLE "callback_delivery" ADD COLUMN "copy_id" UUID;
