-- Console logouts, shared by every api instance: a signed session cookie stays valid until its
-- expiry, so a logout is the cookie's id refused until then. In memory it held on the instance
-- that logged out only (the Kubernetes manifests run two). Rows past their expiry are deleted by
-- the next logout.

-- CreateTable
CREATE TABLE "console_session_revocation" (
    "sid" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "console_session_revocation_pkey" PRIMARY KEY ("sid")
);

-- CreateIndex
CREATE INDEX "console_session_revocation_expires_at_idx" ON "console_session_revocation"("expires_at");
