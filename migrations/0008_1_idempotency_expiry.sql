-- Idempotency keys keep what a replay needs, not what it answered: the booking's id (the answer is
-- rebuilt from the visit), never a manage token. They expire after 24 hours and are purged.
ALTER TABLE idempotency_keys ADD COLUMN resource_id uuid;
ALTER TABLE idempotency_keys ADD COLUMN expires_at timestamptz;
UPDATE idempotency_keys
   SET resource_id = CASE WHEN scope = 'booking:create' AND response ? 'booking'
                          THEN (response -> 'booking' ->> 'id')::uuid END,
       response = CASE WHEN scope = 'booking:create' THEN 'null'::jsonb ELSE response END,
       expires_at = created_at + interval '24 hours';
ALTER TABLE idempotency_keys ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
