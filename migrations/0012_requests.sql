-- Requests ("demandes", issue 13): every contact that is not (yet) a booking — a callback wanted,
-- an address out of the area, no window found, a quote, a technician's request from the field.
-- A request is never deleted and its history is append-only: nothing the desk was told is lost.
CREATE TABLE requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('callback', 'out_of_area', 'no_window', 'quote', 'field', 'other')),
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'done', 'cancelled')),
  customer_id uuid NOT NULL REFERENCES customers (id),
  text text NOT NULL DEFAULT '',
  service_id uuid REFERENCES services (id),
  postcode text CHECK (postcode ~ '^[0-9]{5}$'),
  -- web: the public form (widget); phone/email/desk: recorded by the desk
  channel text NOT NULL CHECK (channel IN ('web', 'phone', 'email', 'desk')),
  -- what the customer said about when to call back ("après 17 h"), as they wrote it
  preferred_time text,
  created_by text NOT NULL,
  taken_by text,
  booking_id uuid REFERENCES visits (id),
  close_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  CHECK ((status IN ('done', 'cancelled')) = (closed_at IS NOT NULL)),
  CHECK (status NOT IN ('done', 'cancelled') OR close_reason IS NOT NULL)
);
-- the desk's queue: open requests, oldest first
CREATE INDEX requests_queue ON requests (status, created_at);
CREATE INDEX requests_customer ON requests (customer_id, created_at);

CREATE TABLE request_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id uuid NOT NULL REFERENCES requests (id),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  -- null for the creation
  from_status text,
  to_status text NOT NULL,
  note text NOT NULL DEFAULT ''
);
CREATE INDEX request_history_request ON request_history (request_id, id);

CREATE FUNCTION requests_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'requests and their history are never deleted' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER requests_no_delete BEFORE DELETE ON requests
  FOR EACH ROW EXECUTE FUNCTION requests_never_deleted();
CREATE TRIGGER request_history_no_delete BEFORE DELETE ON request_history
  FOR EACH ROW EXECUTE FUNCTION requests_never_deleted();

-- History rows are written once; the only change allowed is blanking a note (GDPR erasure).
CREATE FUNCTION request_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.note <> '' OR (NEW.id, NEW.request_id, NEW.at, NEW.actor, NEW.from_status, NEW.to_status)
       IS DISTINCT FROM (OLD.id, OLD.request_id, OLD.at, OLD.actor, OLD.from_status, OLD.to_status) THEN
    RAISE EXCEPTION 'request history is append-only' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER request_history_append_only BEFORE UPDATE ON request_history
  FOR EACH ROW EXECUTE FUNCTION request_history_append_only();
