-- The same marks as 0019_route_day_changes and 0020_route_days_progress, for less of the database's
-- time per write. A booking fired these triggers three to four times (its visit, a re-timed stop, the
-- release of the client's holds, often of none) and each firing cost ~0.3–0.6 ms of backend CPU,
-- mostly planning: mark_route_days was a LANGUAGE sql function that cannot be inlined (it inserts),
-- and PostgreSQL plans such a function's statement afresh at every call. PL/pgSQL keeps a
-- statement's plan for the connection's life, so the work now sits in PL/pgSQL statements, each
-- reading the transition tables directly (no arrays built to be unnested again), and a statement
-- that touched no row returns before anything is planned or run.

-- Kept for callers outside the triggers; PL/pgSQL, so its INSERT is planned once per connection.
CREATE OR REPLACE FUNCTION mark_route_days(technicians uuid[], starts timestamptz[], ends timestamptz[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF technicians IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO route_day_changes (technician_id, day, changed_by)
  SELECT DISTINCT r.technician_id, d.day::date, pg_current_xact_id()
    FROM unnest(technicians, starts, ends) AS r (technician_id, starts, ends)
   CROSS JOIN LATERAL generate_series(
           date_trunc('day', r.starts AT TIME ZONE 'UTC'),
           r.ends AT TIME ZONE 'UTC',
           interval '1 day') AS d (day)
   WHERE r.technician_id IS NOT NULL
   ORDER BY 1, 2
  ON CONFLICT (technician_id, day) DO UPDATE SET changed_by = EXCLUDED.changed_by;
END;
$$;

-- Each trigger below marks, in sorted order (two transactions marking the same days take the row
-- locks in the same order), the UTC dates [planned_start, planned_end] touch for each row.
CREATE OR REPLACE FUNCTION route_days_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO route_day_changes (technician_id, day, changed_by)
  SELECT DISTINCT r.technician_id, d.day::date, pg_current_xact_id()
    FROM new_rows AS r
   CROSS JOIN LATERAL generate_series(
           date_trunc('day', r.planned_start AT TIME ZONE 'UTC'),
           r.planned_end AT TIME ZONE 'UTC',
           interval '1 day') AS d (day)
   WHERE r.technician_id IS NOT NULL
   ORDER BY 1, 2
  ON CONFLICT (technician_id, day) DO UPDATE SET changed_by = EXCLUDED.changed_by;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION route_days_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO route_day_changes (technician_id, day, changed_by)
  SELECT DISTINCT r.technician_id, d.day::date, pg_current_xact_id()
    FROM old_rows AS r
   CROSS JOIN LATERAL generate_series(
           date_trunc('day', r.planned_start AT TIME ZONE 'UTC'),
           r.planned_end AT TIME ZONE 'UTC',
           interval '1 day') AS d (day)
   WHERE r.technician_id IS NOT NULL
   ORDER BY 1, 2
  ON CONFLICT (technician_id, day) DO UPDATE SET changed_by = EXCLUDED.changed_by;
  RETURN NULL;
END;
$$;

-- An update marks the days before and after. A visit marks only when something a route or make-room
-- reads changed (as 0020: not its notes, contact details or the like); a hold marks on any change
-- (they are few). An UPDATE that matched no row (a booking releasing the client's holds when there
-- were none) returns at once.
CREATE OR REPLACE FUNCTION route_days_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM new_rows) THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'visits' THEN
    INSERT INTO route_day_changes (technician_id, day, changed_by)
    SELECT DISTINCT c.technician_id, d.day::date, pg_current_xact_id()
      FROM old_rows AS o
      JOIN new_rows AS n ON n.id = o.id
     CROSS JOIN LATERAL (VALUES (o.technician_id, o.planned_start, o.planned_end),
                                (n.technician_id, n.planned_start, n.planned_end)) AS c (technician_id, starts, ends)
     CROSS JOIN LATERAL generate_series(
             date_trunc('day', c.starts AT TIME ZONE 'UTC'),
             c.ends AT TIME ZONE 'UTC',
             interval '1 day') AS d (day)
     WHERE c.technician_id IS NOT NULL
       AND (o.technician_id, o.planned_start, o.planned_end, o.window_start, o.window_end,
            o.status, o.unassigned_reason, o.lat, o.lon, o.postcode, o.pinned,
            o.service_id, o.progress)
           IS DISTINCT FROM
           (n.technician_id, n.planned_start, n.planned_end, n.window_start, n.window_end,
            n.status, n.unassigned_reason, n.lat, n.lon, n.postcode, n.pinned,
            n.service_id, n.progress)
     ORDER BY 1, 2
    ON CONFLICT (technician_id, day) DO UPDATE SET changed_by = EXCLUDED.changed_by;
  ELSE
    INSERT INTO route_day_changes (technician_id, day, changed_by)
    SELECT DISTINCT c.technician_id, d.day::date, pg_current_xact_id()
      FROM (SELECT technician_id, planned_start, planned_end FROM old_rows
            UNION ALL
            SELECT technician_id, planned_start, planned_end FROM new_rows) AS c
     CROSS JOIN LATERAL generate_series(
             date_trunc('day', c.planned_start AT TIME ZONE 'UTC'),
             c.planned_end AT TIME ZONE 'UTC',
             interval '1 day') AS d (day)
     WHERE c.technician_id IS NOT NULL
     ORDER BY 1, 2
    ON CONFLICT (technician_id, day) DO UPDATE SET changed_by = EXCLUDED.changed_by;
  END IF;
  RETURN NULL;
END;
$$;

-- A new customer's stored search_street (migration 0011) called this LANGUAGE sql function, whose
-- FROM keeps it from being inlined: planned at every insert (~0.5 ms). PL/pgSQL plans it once per
-- connection; same result for every input, so the stored values stay valid.
CREATE OR REPLACE FUNCTION search_streets(addresses jsonb) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
BEGIN
  RETURN (SELECT coalesce(string_agg(search_fold(a ->> 'street'), ' | '), '')
            FROM jsonb_array_elements(addresses) AS a);
END;
$$;

CREATE OR REPLACE FUNCTION search_phones(phones text[]) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
BEGIN
  RETURN array_to_string(phones, ' ');
END;
$$;
