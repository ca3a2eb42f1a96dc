-- Online bookings per client, for the daily caps and the proof of work that grows with a client's recent
-- bookings (issue 18 item 5). The client is a keyed hash of its network address (HMAC with the service's
-- proof-of-work secret: not reversible by hashing the IPv4 space), kept 48 h and then purged.
CREATE TABLE web_bookings (
  visit_id uuid PRIMARY KEY REFERENCES visits (id) ON DELETE CASCADE,
  client_key text NOT NULL,
  customer_id uuid,
  created_at timestamptz NOT NULL
);
CREATE INDEX web_bookings_client ON web_bookings (client_key, created_at);
CREATE INDEX web_bookings_customer ON web_bookings (customer_id, created_at);
CREATE INDEX web_bookings_age ON web_bookings (created_at);

-- What the booking guards refused, counted per day and rule: no personal data, bounded in size.
CREATE TABLE booking_refusals (
  day date NOT NULL,
  rule text NOT NULL,
  count integer NOT NULL DEFAULT 0,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (day, rule)
);
