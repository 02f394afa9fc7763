-- In-app tokens name the developer's token epoch; disable, rotate and the loss of a grant
-- increment it, so that a token issued before never admits again (re-enabling included).
ALTER TABLE "developer" ADD COLUMN "token_epoch" INTEGER NOT NULL DEFAULT 0;
