-- A hold keeps a chosen arrival window for one client while they type their details: 5 minutes,
-- renewable once. It sits on a technician's route like a booking (technician, planned time), so the
-- slot engine counts it for everyone else with the same insertion test; staff bookings ignore holds.
-- A hold is live while released_at is null and expires_at is in the future (the service's clock).
-- client_hash is a hash of the client's address, never the address itself.
CREATE TABLE holds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_hash text NOT NULL,
  service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  technician_id uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  planned_start timestamptz NOT NULL,
  planned_end timestamptz NOT NULL,
  postcode text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  expires_at timestamptz NOT NULL,
  renewed boolean NOT NULL DEFAULT false,
  released_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT holds_window_order CHECK (window_end > window_start),
  CONSTRAINT holds_planned_order CHECK (planned_end >= planned_start)
);

-- The slot engine reads live holds per technician and time, like booked visits.
CREATE INDEX holds_route ON holds (technician_id, planned_start) WHERE released_at IS NULL;
-- At most two live holds per client: counted on every new hold.
CREATE INDEX holds_client ON holds (client_hash, expires_at) WHERE released_at IS NULL;
