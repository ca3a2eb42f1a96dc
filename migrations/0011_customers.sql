-- Customers (issue 13): one record per person the company deals with, so the desk finds a caller
-- by any phone format, name, e-mail, street or booking reference, and every visit links to one.
--
-- Identity rule (also the backfill's): two contacts are the same person when they share a phone
-- number (E.164) or an e-mail address; the same name with other numbers is someone else.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch WITH SCHEMA public;

-- Text as the search compares it: lower case, no accents, words separated by single spaces
-- ("Émilie  Guérin-Roux" → "emilie guerin roux"). unaccent() is only STABLE (its dictionary
-- could change); naming the dictionary makes this safe to declare IMMUTABLE for stored columns.
CREATE FUNCTION search_fold(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)),
                                    '[^a-z0-9]+', ' ', 'g')) $$;

-- A phone number as typed ("06 12 34 56 78", "0033 6…", "+32 470…") in E.164, or null. Same rules
-- as normalisePhone in src/domain/customers/phone.ts; used here for the backfill of old visits.
CREATE FUNCTION phone_e164(raw text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN c ~ '^(\+33|0033|0)[1-9][0-9]{8}$' THEN '+33' || right(c, 9)
      WHEN c ~ '^(\+|00)[1-9][0-9]{7,14}$' AND c !~ '^(\+|00)33' THEN '+' || regexp_replace(c, '^(\+|00)', '')
    END
    FROM (SELECT regexp_replace(raw, '[[:space:].()-]', '', 'g') AS c) AS compact $$;

CREATE FUNCTION search_streets(addresses jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT coalesce(string_agg(search_fold(a ->> 'street'), ' | '), '')
          FROM jsonb_array_elements(addresses) AS a $$;

CREATE FUNCTION search_phones(phones text[]) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT coalesce(string_agg(p, ' '), '') FROM unnest(phones) AS p $$;

CREATE TABLE customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  full_name text NOT NULL,
  email text,
  -- E.164, the first one is the main number
  phones text[] NOT NULL DEFAULT '{}',
  -- [{"street": "12 rue Victor Hugo", "postcode": "69003", "city": "Lyon 3e"}]
  addresses jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(addresses) = 'array'),
  notes text NOT NULL DEFAULT '',
  -- when the customer agreed to the use of their data (first booking or request)
  consent_at timestamptz,
  -- GDPR erasure: the row stays (visits keep their statistics), its personal fields are blanked
  erased_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search_name text GENERATED ALWAYS AS (search_fold(full_name)) STORED,
  search_street text GENERATED ALWAYS AS (search_streets(addresses)) STORED,
  search_phone text GENERATED ALWAYS AS (search_phones(phones)) STORED
);
CREATE INDEX customers_phones ON customers USING gin (phones);
CREATE INDEX customers_email ON customers (lower(email));
-- trigram indexes serve the substring searches (last digits of a phone, part of a name or street)
CREATE INDEX customers_search_name ON customers USING gin (search_name gin_trgm_ops);
CREATE INDEX customers_search_street ON customers USING gin (search_street gin_trgm_ops);
CREATE INDEX customers_search_phone ON customers USING gin (search_phone gin_trgm_ops);

ALTER TABLE visits ADD COLUMN customer_id uuid REFERENCES customers (id);
CREATE INDEX visits_customer ON visits (customer_id, window_start);

-- Find-or-create by phone, then e-mail (the identity rule above); a found customer gains the new
-- number, e-mail or address. Callers that may run concurrently serialise on the phone and e-mail
-- first (advisory locks, src/db/customers.ts), so two bookings of one new caller make one customer.
CREATE FUNCTION customer_link(
  p_name text, p_phone text, p_email text, p_street text, p_postcode text, p_city text, p_at timestamptz
) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  match_id uuid;
  address jsonb := CASE WHEN coalesce(p_street, '') = '' THEN NULL
    ELSE jsonb_build_object('street', p_street, 'postcode', coalesce(p_postcode, ''), 'city', coalesce(p_city, '')) END;
BEGIN
  IF p_phone IS NOT NULL THEN
    SELECT id INTO match_id FROM customers
     WHERE erased_at IS NULL AND phones @> ARRAY[p_phone] ORDER BY created_at, id LIMIT 1;
  END IF;
  IF match_id IS NULL AND coalesce(p_email, '') <> '' THEN
    SELECT id INTO match_id FROM customers
     WHERE erased_at IS NULL AND lower(email) = lower(p_email) ORDER BY created_at, id LIMIT 1;
  END IF;
  IF match_id IS NULL THEN
    INSERT INTO customers (full_name, email, phones, addresses, consent_at, created_at, updated_at)
    VALUES (p_name, nullif(p_email, ''), CASE WHEN p_phone IS NULL THEN '{}' ELSE ARRAY[p_phone] END,
            CASE WHEN address IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(address) END, p_at, p_at, p_at)
    RETURNING id INTO match_id;
    RETURN match_id;
  END IF;
  UPDATE customers c SET
    phones = CASE WHEN p_phone IS NULL OR c.phones @> ARRAY[p_phone] THEN c.phones ELSE c.phones || p_phone END,
    email = coalesce(c.email, nullif(p_email, '')),
    addresses = CASE
      WHEN address IS NULL OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(c.addresses) AS a
         WHERE search_fold(a ->> 'street') = search_fold(p_street) AND a ->> 'postcode' = address ->> 'postcode')
      THEN c.addresses ELSE c.addresses || jsonb_build_array(address) END,
    consent_at = coalesce(c.consent_at, p_at),
    updated_at = greatest(c.updated_at, p_at)
  WHERE c.id = match_id;
  RETURN match_id;
END $$;

-- Links every visit without a customer, oldest first (the demo seed calls it after loading).
CREATE FUNCTION customers_backfill() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v record;
  linked integer := 0;
BEGIN
  FOR v IN SELECT id, customer_name, customer_phone, customer_email, address_line, postcode, city, created_at
             FROM visits WHERE customer_id IS NULL ORDER BY created_at, id LOOP
    UPDATE visits SET customer_id = customer_link(v.customer_name, phone_e164(v.customer_phone),
                                                  v.customer_email, v.address_line, v.postcode, v.city,
                                                  v.created_at)
     WHERE id = v.id;
    linked := linked + 1;
  END LOOP;
  RETURN linked;
END $$;

SELECT customers_backfill();
