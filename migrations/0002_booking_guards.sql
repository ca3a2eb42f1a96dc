-- Proof-of-work challenges already used for a booking: a challenge is good once.
CREATE TABLE spent_challenges (
  challenge text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX spent_challenges_expiry ON spent_challenges (expires_at);

-- Secrets every service instance must share (e.g. the HMAC key of challenges).
CREATE TABLE service_secrets (
  name text PRIMARY KEY,
  value text NOT NULL
);
