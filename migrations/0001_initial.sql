-- Tournée initial schema. Written for PostgreSQL 15 (production) and PGlite (PostgreSQL 18).
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

CREATE TABLE company_settings (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  name text NOT NULL,
  phone text NOT NULL DEFAULT '',
  timezone text NOT NULL DEFAULT 'Europe/Paris',
  -- Arrival-window grid of a working day, local wall-clock: [{"start":"08:00","end":"10:00"}, ...]
  window_grid jsonb NOT NULL,
  booking_horizon_days integer NOT NULL DEFAULT 28 CHECK (booking_horizon_days BETWEEN 1 AND 366),
  -- null = national holidays; '57', '67', '68' = Alsace-Moselle
  holiday_region text CHECK (holiday_region IN ('57', '67', '68')),
  whit_monday_worked boolean NOT NULL DEFAULT false,
  team_feed_token text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE skills (
  code text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  label text NOT NULL
);

CREATE TABLE zones (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  -- drives the average driving speed of the travel model
  kind text NOT NULL DEFAULT 'periurban' CHECK (kind IN ('urban', 'periurban', 'rural'))
);

CREATE TABLE zone_postcodes (
  zone_id uuid NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
  postcode text NOT NULL CHECK (postcode ~ '^[0-9]{5}$'),
  city text NOT NULL,
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  PRIMARY KEY (postcode, zone_id)
);
CREATE INDEX zone_postcodes_zone ON zone_postcodes (zone_id);

CREATE TABLE technicians (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  email text,
  phone text,
  colour text NOT NULL DEFAULT '#1f6feb' CHECK (colour ~ '^#[0-9a-fA-F]{6}$'),
  home_address text NOT NULL DEFAULT '',
  home_lat double precision NOT NULL CHECK (home_lat BETWEEN -90 AND 90),
  home_lon double precision NOT NULL CHECK (home_lon BETWEEN -180 AND 180),
  active boolean NOT NULL DEFAULT true,
  -- capability URL secret for the technician's iCal feed; null = revoked
  feed_token text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE technician_skills (
  technician_id uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
  skill_code text NOT NULL REFERENCES skills (code),
  PRIMARY KEY (technician_id, skill_code)
);

CREATE TABLE technician_zones (
  technician_id uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
  zone_id uuid NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
  PRIMARY KEY (technician_id, zone_id)
);
CREATE INDEX technician_zones_zone ON technician_zones (zone_id);

-- Recurring working hours in local wall-clock time: the RRULE picks the days, start/end the hours.
CREATE TABLE working_hours (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  technician_id uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
  rrule text NOT NULL,
  start_time time NOT NULL,
  end_time time NOT NULL,
  valid_from date NOT NULL,
  valid_until date,
  CHECK (end_time > start_time),
  CHECK (valid_until IS NULL OR valid_until >= valid_from)
);
CREATE INDEX working_hours_technician ON working_hours (technician_id);

-- Exceptions to working hours. technician_id null = a company closure for everyone.
CREATE TABLE availability_exceptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  technician_id uuid REFERENCES technicians (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('absence', 'extra_shift', 'closure')),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  reason text NOT NULL DEFAULT '',
  CHECK (ends_at > starts_at),
  CHECK ((kind = 'closure') = (technician_id IS NULL))
);
CREATE INDEX availability_exceptions_range ON availability_exceptions (technician_id, starts_at);

CREATE TABLE services (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 720),
  window_minutes integer NOT NULL DEFAULT 120 CHECK (window_minutes BETWEEN 15 AND 720),
  min_notice_minutes integer NOT NULL DEFAULT 1440 CHECK (min_notice_minutes >= 0),
  max_horizon_days integer NOT NULL DEFAULT 28 CHECK (max_horizon_days BETWEEN 1 AND 366),
  price_label text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE service_skills (
  service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  skill_code text NOT NULL REFERENCES skills (code),
  PRIMARY KEY (service_id, skill_code)
);

-- A booked job. The promised arrival window is the customer's promise; planned_start/end is the
-- technician's schedule, which the planner may move inside the window.
CREATE TABLE visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference text NOT NULL UNIQUE,
  service_id uuid NOT NULL REFERENCES services (id),
  technician_id uuid NOT NULL REFERENCES technicians (id),
  status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'done')),
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  planned_start timestamptz NOT NULL,
  planned_end timestamptz NOT NULL,
  pinned boolean NOT NULL DEFAULT false,
  customer_name text NOT NULL,
  customer_phone text NOT NULL,
  customer_email text,
  address_line text NOT NULL,
  postcode text NOT NULL CHECK (postcode ~ '^[0-9]{5}$'),
  city text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  notes text NOT NULL DEFAULT '',
  channel text NOT NULL CHECK (channel IN ('web', 'phone', 'email', 'desk', 'planner')),
  booked_by text NOT NULL,
  -- sha256 of the customer's manage token; the token itself is only ever shown once
  manage_token_hash text NOT NULL UNIQUE,
  -- bumped on every change; iCal SEQUENCE and plan staleness checks read it
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  CHECK (window_end > window_start),
  CHECK (planned_end > planned_start),
  CHECK (planned_start >= window_start AND planned_start <= window_end),
  -- the last line of defence against double booking, even if a code path forgets the lock;
  -- deferrable so a plan can be applied as a whole in one transaction
  CONSTRAINT visits_no_overlap EXCLUDE USING gist (
    technician_id WITH =,
    tstzrange(planned_start, planned_end) WITH &&
  ) WHERE (status = 'booked') DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX visits_technician_start ON visits (technician_id, planned_start);
CREATE INDEX visits_planned_start ON visits (planned_start);
CREATE INDEX visits_customer_phone ON visits (customer_phone);

CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'planner', 'agent')),
  -- sha256 hex of the token; the token is shown once at creation
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_date date NOT NULL,
  status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'applied', 'stale')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz,
  -- visit id -> version the proposal was computed from
  based_on jsonb NOT NULL,
  proposal jsonb NOT NULL
);
CREATE INDEX plans_date ON plans (plan_date);
