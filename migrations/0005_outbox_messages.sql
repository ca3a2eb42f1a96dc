-- Messages that must reach someone (e-mail to customers, signed webhooks to the company's tools).
--
-- outbox: one row per event, written in the same transaction as the change that causes it, so an
-- event exists exactly when its change committed. A dispatcher turns each event into messages.
CREATE TABLE outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
  aggregate text NOT NULL CHECK (aggregate IN ('visit', 'request')),
  aggregate_id uuid NOT NULL,
  payload jsonb NOT NULL,
  -- secrets only the customer's e-mail may carry (the manage link); erased once dispatched
  private_payload jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz
);
CREATE INDEX outbox_undispatched ON outbox (created_at) WHERE dispatched_at IS NULL;
CREATE INDEX outbox_aggregate ON outbox (aggregate, aggregate_id);

-- Webhook subscriptions of the company's other tools (CRM, accounting).
CREATE TABLE webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url text NOT NULL,
  events text[] NOT NULL CHECK (cardinality(events) > 0),
  -- Standard Webhooks secret ('whsec_' + base64); shown once, needed in clear to sign
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

-- One message = one delivery to one recipient, with its own stable id (Message-ID, webhook-id),
-- its retries and its trace. dedupe_key makes every producer idempotent (dispatcher re-run after a
-- crash, two schedulers deciding the same reminder).
CREATE TABLE messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dedupe_key text NOT NULL UNIQUE,
  outbox_id uuid REFERENCES outbox (id) ON DELETE SET NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
  kind text NOT NULL,
  aggregate text NOT NULL CHECK (aggregate IN ('visit', 'request')),
  aggregate_id uuid NOT NULL,
  webhook_id uuid REFERENCES webhooks (id) ON DELETE SET NULL,
  recipient text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  -- a worker holds the message until then; a crashed worker's message is taken again after it
  locked_until timestamptz,
  give_up_at timestamptz NOT NULL,
  last_error text CHECK (length(last_error) <= 1024),
  response_status integer,
  response_body text CHECK (length(response_body) <= 1024),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX messages_aggregate ON messages (aggregate, aggregate_id, created_at);
CREATE INDEX messages_status ON messages (status, created_at);

-- The customer's language for messages.
ALTER TABLE visits ADD COLUMN locale text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en'));
-- When a visit was marked done (the satisfaction survey counts from that day). The planner's
-- statuses (migration 0007) extend visits.status; this column stays the "done" timestamp.
ALTER TABLE visits ADD COLUMN done_at timestamptz;
-- Local hour at which the day-before reminders leave.
ALTER TABLE company_settings ADD COLUMN reminder_hour smallint NOT NULL DEFAULT 18
  CHECK (reminder_hour BETWEEN 0 AND 23);

-- Satisfaction answers: one per visit (the rating link is single-use).
CREATE TABLE satisfaction_answers (
  visit_id uuid PRIMARY KEY REFERENCES visits (id) ON DELETE CASCADE,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
  answered_at timestamptz NOT NULL
);
CREATE INDEX satisfaction_answers_at ON satisfaction_answers (answered_at);

-- Addresses that asked for no more non-transactional messages (surveys), in one click.
CREATE TABLE message_opt_outs (
  email text PRIMARY KEY,
  opted_out_at timestamptz NOT NULL
);
