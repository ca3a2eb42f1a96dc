-- book_visit (migrations 0023, 0026) counting the growing proof of work itself, under the client's lock.
--
-- A public booking asked the client's online bookings of the last hour in its read before the call,
-- to know the proof of work it had to bring (TOURNEE_POW_ESCALATION_BITS per booking): that read is
-- what a booking placed on the slot reads' memory no longer makes. The count is now made here, after
-- the booker's locks, in the statement that already counted the client's bookings for the daily cap
-- (one index scan for both): a challenge weaker than least(p_pow_max, p_pow_base + p_pow_step ×
-- the bookings since p_pow_since) raises TB006 and nothing is kept, as for every other refusal. Two
-- bookings of one client sent at once are counted one after the other (the client's lock), which the
-- read outside the locks did not do.
--
-- Checks in this order: key (TB002), challenge spent (TB003), read still current (TB001), proof of
-- work (TB006), client cap (TB004), customer cap (TB005). A stale read goes the locked way, which
-- counts the client's bookings for the proof of work before its transaction.
--
-- A new overload: its p_pow_* parameters have no default, so a call naming them reaches only this
-- one, and a call without them (an instance still running the code before this migration) the
-- 0026 version, which stays.

CREATE FUNCTION book_visit(
  -- the read the placement was made on
  p_snapshot text,
  p_technician uuid,
  p_route_days date[],
  -- the idempotency claim and the proof of work
  p_scope text,
  p_key text,
  p_request_hash text,
  p_now timestamptz,
  p_key_expires timestamptz,
  p_challenge text,
  p_challenge_expires timestamptz,
  -- advisory locks: booker caps and the technician-day (hashtextextended, taken in byte order), contact
  p_lock_keys text[],
  p_contact_keys text[],
  -- the caps: the client's online bookings since p_client_since, the customer's since p_customer_since
  p_client_key text,
  p_client_cap integer,
  p_client_since timestamptz,
  p_customer_cap integer,
  p_customer_since timestamptz,
  -- the growing proof of work: the challenge's (signed, verified) difficulty, and the policy it must
  -- meet: least(p_pow_max, p_pow_base + p_pow_step × the client's online bookings since p_pow_since);
  -- p_pow_difficulty NULL: not counted here (the caller did)
  p_pow_difficulty integer,
  p_pow_base integer,
  p_pow_step integer,
  p_pow_max integer,
  p_pow_since timestamptz,
  -- the customer (customer_link, migration 0011)
  p_customer_name text,
  p_customer_phone text,
  p_customer_email text,
  p_customer_street text,
  p_customer_postcode text,
  p_customer_city text,
  -- stops the insertion re-timed, and holds released
  p_moved_visits uuid[],
  p_moved_visit_starts timestamptz[],
  p_moved_visit_ends timestamptz[],
  p_moved_holds uuid[],
  p_moved_hold_starts timestamptz[],
  p_moved_hold_ends timestamptz[],
  p_release_hold uuid,
  p_release_client text,
  -- the visit
  p_id uuid,
  p_reference text,
  p_service uuid,
  p_window_start timestamptz,
  p_window_end timestamptz,
  p_planned_start timestamptz,
  p_planned_end timestamptz,
  p_name text,
  p_phone text,
  p_email text,
  p_address_line text,
  p_postcode text,
  p_city text,
  p_lat float8,
  p_lon float8,
  p_notes text,
  p_channel text,
  p_booked_by text,
  p_manage_token_hash text,
  p_calendar_token_hash text,
  p_locale text,
  -- the key's outcome and the outbox event
  p_status_code integer,
  p_event_type text,
  p_event_payload jsonb,
  p_event_private jsonb
) RETURNS TABLE (customer_id uuid, updated_at timestamptz)
LANGUAGE plpgsql
-- As the locked transaction runs its statements (its open statement sets it for the transaction):
-- the record statement and the triggers it fires on their generic plans, planned once per connection.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_customer uuid;
  v_updated timestamptz;
  v_made bigint;
  v_client_made bigint;
  v_client_recent bigint;
BEGIN
  -- The key's outcome is written with the claim: the call writes everything or nothing, so no one
  -- ever reads the claim without its outcome (0023 claimed with status 0, then updated it at the end).
  INSERT INTO idempotency_keys AS ik (scope, key, request_hash, status_code, response, resource_id, expires_at)
  VALUES (p_scope, p_key, p_request_hash, p_status_code, 'null', p_id, p_key_expires)
  ON CONFLICT (scope, key) DO UPDATE
    SET request_hash = excluded.request_hash, status_code = excluded.status_code, response = excluded.response,
        resource_id = excluded.resource_id, expires_at = excluded.expires_at, created_at = now()
    WHERE ik.expires_at <= p_now;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'TB002', MESSAGE = 'book_visit: idempotency key in use';
  END IF;

  IF p_challenge IS NOT NULL THEN
    INSERT INTO spent_challenges (challenge, expires_at) VALUES (p_challenge, p_challenge_expires)
    ON CONFLICT (challenge) DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'TB003', MESSAGE = 'book_visit: challenge already spent';
    END IF;
  END IF;

  PERFORM count(pg_advisory_xact_lock(hashtextextended(o.key, 0)))
     FROM (SELECT k AS key FROM unnest(p_lock_keys) AS k ORDER BY k COLLATE "C") AS o;
  -- 1311: CONTACT_LOCK (src/db/customers.ts), phone then e-mail, after the technician-day's
  PERFORM count(pg_advisory_xact_lock(1311, hashtext(o.k)))
     FROM (SELECT k, i FROM unnest(p_contact_keys) WITH ORDINALITY AS u(k, i) ORDER BY i) AS o;

  IF EXISTS (SELECT 1 FROM route_day_changes AS c
              WHERE c.technician_id = p_technician AND c.day = ANY(p_route_days)
                AND NOT pg_visible_in_snapshot(c.changed_by, p_snapshot::pg_snapshot))
     OR EXISTS (SELECT 1 FROM reference_changes AS r
                 WHERE NOT pg_visible_in_snapshot(r.changed_by, p_snapshot::pg_snapshot)) THEN
    RAISE EXCEPTION USING ERRCODE = 'TB001', MESSAGE = 'book_visit: the day changed since it was read';
  END IF;

  -- The client's online bookings, counted once for both rules, under the client's lock: those of the
  -- last hour raise the proof of work asked, those of the caps' window are capped.
  IF p_client_key IS NOT NULL
     AND (p_client_cap > 0 OR (p_pow_difficulty IS NOT NULL AND p_pow_base > 0 AND p_pow_step > 0)) THEN
    SELECT count(*) FILTER (WHERE wb.created_at >= p_client_since),
           count(*) FILTER (WHERE wb.created_at >= p_pow_since)
      INTO v_client_made, v_client_recent
      FROM web_bookings AS wb
     WHERE wb.client_key = p_client_key AND wb.created_at >= least(p_client_since, p_pow_since);
    IF p_pow_difficulty IS NOT NULL AND p_pow_base > 0 AND p_pow_step > 0
       AND p_pow_difficulty < least(p_pow_max, p_pow_base + p_pow_step * v_client_recent) THEN
      RAISE EXCEPTION USING ERRCODE = 'TB006', MESSAGE = 'book_visit: proof of work too weak for this client';
    END IF;
    IF p_client_cap > 0 AND v_client_made >= p_client_cap THEN
      RAISE EXCEPTION USING ERRCODE = 'TB004', MESSAGE = 'book_visit: client at its daily cap';
    END IF;
  END IF;

  v_customer := customer_link(p_customer_name, p_customer_phone, p_customer_email, p_customer_street,
                              p_customer_postcode, p_customer_city, p_now);
  -- The customer's bookings before this one (the caps count the others).
  IF p_customer_cap > 0 THEN
    SELECT count(*) INTO v_made FROM web_bookings AS wb
     WHERE wb.customer_id = v_customer AND wb.created_at >= p_customer_since;
    IF v_made >= p_customer_cap THEN
      RAISE EXCEPTION USING ERRCODE = 'TB005', MESSAGE = 'book_visit: customer at its daily cap';
    END IF;
  END IF;

  -- The re-timed stops first, then the new visit: the stops' new times are the route's final ones,
  -- so the exclusion constraint (checked at the end of each statement) finds no overlap between them
  -- before the visit arrives. Re-timing nothing writes nothing: an UPDATE of no row still fires the
  -- route triggers.
  IF cardinality(p_moved_visits) > 0 THEN
    UPDATE visits AS mv SET planned_start = m.s, planned_end = m.e, version = mv.version + 1, updated_at = p_now
      FROM unnest(p_moved_visits, p_moved_visit_starts, p_moved_visit_ends) AS m(id, s, e)
     WHERE mv.id = m.id;
  END IF;
  INSERT INTO visits (id, reference, service_id, technician_id, window_start, window_end, planned_start,
                      planned_end, customer_name, customer_phone, customer_email, address_line, postcode,
                      city, lat, lon, notes, channel, booked_by, manage_token_hash, calendar_token_hash,
                      cancelled_at, locale, created_at, customer_id)
  VALUES (p_id, p_reference, p_service, p_technician, p_window_start, p_window_end, p_planned_start,
          p_planned_end, p_name, p_phone, p_email, p_address_line, p_postcode, p_city, p_lat, p_lon, p_notes,
          p_channel, p_booked_by, p_manage_token_hash, p_calendar_token_hash, NULL, p_locale, p_now, v_customer)
  RETURNING visits.updated_at INTO v_updated;

  IF cardinality(p_moved_holds) > 0 THEN
    UPDATE holds AS mh SET planned_start = m.s, planned_end = m.e
      FROM unnest(p_moved_holds, p_moved_hold_starts, p_moved_hold_ends) AS m(id, s, e)
     WHERE mh.id = m.id;
  END IF;
  -- Most bookers hold nothing: an index probe first, so that the UPDATE (and the statement trigger it
  -- fires even when it matches no row) runs only when there is a hold to release.
  IF (p_release_hold IS NOT NULL OR p_release_client IS NOT NULL)
     AND EXISTS (SELECT 1 FROM holds
                  WHERE released_at IS NULL
                    AND (id = p_release_hold OR (client_hash = p_release_client AND expires_at > p_now))) THEN
    UPDATE holds SET released_at = p_now
     WHERE released_at IS NULL
       AND (id = p_release_hold OR (client_hash = p_release_client AND expires_at > p_now));
  END IF;

  IF p_client_key IS NOT NULL THEN
    INSERT INTO web_bookings (visit_id, client_key, customer_id, created_at)
    VALUES (p_id, p_client_key, v_customer, p_now);
  END IF;
  INSERT INTO outbox (type, aggregate, aggregate_id, payload, private_payload)
  VALUES (p_event_type, 'visit', p_id, p_event_payload, p_event_private);

  customer_id := v_customer;
  updated_at := v_updated;
  RETURN NEXT;
END;
$$;
