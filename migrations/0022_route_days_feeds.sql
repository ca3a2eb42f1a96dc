-- Calendar feeds are now kept in memory too (src/domain/kept-feeds.ts), per technician and for the
-- team, and forgotten when route_day_changes (migration 0019) marks one of the technician's days, as
-- slot answers are. A feed shows more of a visit than a route reads: its reference, the customer's
-- name and phone, the street and town, and its version and stamps (SEQUENCE, DTSTAMP, LAST-MODIFIED).
-- A change to any of those now marks the visit's route days as well, so an edited contact detail or
-- an erased customer shows in the next feed on every instance. Notes and the customer's e-mail,
-- which no feed shows, still mark nothing; nearly every other write bumps version anyway.
-- The function is 0021_route_days_planned_once's (PL/pgSQL, planned once per connection) with those
-- columns added to the comparison.
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
            o.service_id, o.progress,
            o.reference, o.customer_name, o.customer_phone, o.address_line, o.city,
            o.version, o.created_at, o.updated_at, o.cancelled_at)
           IS DISTINCT FROM
           (n.technician_id, n.planned_start, n.planned_end, n.window_start, n.window_end,
            n.status, n.unassigned_reason, n.lat, n.lon, n.postcode, n.pinned,
            n.service_id, n.progress,
            n.reference, n.customer_name, n.customer_phone, n.address_line, n.city,
            n.version, n.created_at, n.updated_at, n.cancelled_at)
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
