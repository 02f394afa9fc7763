-- The push-fallback and expiry polls (every 300 ms on every api instance) index only the in-app
-- messages still waiting. Their plain indexes held every message ever sent, and a done message
-- keeps its push_due_at and expires_at (inbox messages are never purged): each poll walked all of
-- them before the first pending one (~90 ms a poll at 500,000 done messages, growing with them).
-- The price: an acknowledgement, a claim or an expiry changes a column of the predicates, so its
-- update is no longer HOT (a reviewer measured 2,990 acknowledgements in 890 ms against 792, ~33 µs
-- each), against a poll's walk of every done message, three times a second on every instance.
-- Built inside the migration's transaction (CONCURRENTLY cannot be): writes to inbox_message wait
-- while they are built: 0.07–0.09 s each for 1,000,000 messages in memory here (more from disk).
SET LOCAL lock_timeout = '10s';

CREATE INDEX "inbox_message_push_due_idx" ON "inbox_message"("push_due_at")
  WHERE (acknowledged_at IS NULL) AND (push_message_id IS NULL) AND (expired_at IS NULL) AND (developer_id IS NOT NULL) AND (push_content IS NOT NULL);
CREATE INDEX "inbox_message_expiry_due_idx" ON "inbox_message"("expires_at")
  WHERE (acknowledged_at IS NULL) AND (expired_at IS NULL) AND (developer_id IS NOT NULL);

DROP INDEX "inbox_message_push_due_at_idx";
DROP INDEX "inbox_message_expires_at_idx";
