-- Slot queries keep each technician-day's booked route (visits and holds) in memory
-- (src/domain/booked-routes.ts). So that no instance offers a window another one has just filled,
-- every write to visits or holds marks the technician-days it touches with the writing transaction's
-- id, here, from triggers: every code path that writes (bookings, holds, cancellations, the planner,
-- the desk, an absence re-plan, a cascade) is covered without knowing about the cache.
--
-- An instance asks "which technician-days did transactions commit since my last look?" by keeping the
-- snapshot of its previous question (pg_current_snapshot) and listing rows whose transaction that
-- snapshot did not see. Snapshots, not timestamps or sequence numbers: a transaction that took its
-- number first may commit last, and it must still be seen.
--
-- One row per technician and UTC date, updated in place: the row lock is taken by writers that
-- already hold that technician-day's advisory lock (bookings), so it adds no waiting of its own.
CREATE TABLE route_day_changes (
  technician_id uuid NOT NULL,
  day date NOT NULL,
  changed_by xid8 NOT NULL,
  PRIMARY KEY (technician_id, day)
);

CREATE INDEX route_day_changes_changed_by ON route_day_changes (changed_by);

-- The UTC dates [starts, ends] touch, for each (technician, starts, ends); in sorted order, so two
-- transactions marking the same days take the row locks in the same order.
CREATE FUNCTION mark_route_days(technicians uuid[], starts timestamptz[], ends timestamptz[])
RETURNS void LANGUAGE sql AS $$
  INSERT INTO route_day_changes (technician_id, day, changed_by)
  SELECT DISTINCT r.technician_id, d.day::date, pg_current_xact_id()
    FROM unnest(technicians, starts, ends) AS r (technician_id, starts, ends)
   CROSS JOIN LATERAL generate_series(
           date_trunc('day', r.starts AT TIME ZONE 'UTC'),
           r.ends AT TIME ZONE 'UTC',
           interval '1 day') AS d (day)
   WHERE r.technician_id IS NOT NULL
   ORDER BY 1, 2
  ON CONFLICT (technician_id, day) DO UPDATE SET changed_by = EXCLUDED.changed_by
$$;

-- Transition tables are allowed for one event per trigger: one function per event.
CREATE FUNCTION route_days_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mark_route_days(
    (SELECT array_agg(technician_id) FROM new_rows),
    (SELECT array_agg(planned_start) FROM new_rows),
    (SELECT array_agg(planned_end) FROM new_rows));
  RETURN NULL;
END;
$$;

CREATE FUNCTION route_days_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mark_route_days(
    (SELECT array_agg(technician_id) FROM old_rows),
    (SELECT array_agg(planned_start) FROM old_rows),
    (SELECT array_agg(planned_end) FROM old_rows));
  RETURN NULL;
END;
$$;

-- An update marks the days before and after; a visit's notes or progress changing moves nothing, so
-- visits mark only when what a route reads changed (holds: any change counts, they are few).
CREATE FUNCTION route_days_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'visits' THEN
    PERFORM mark_route_days(array_agg(c.technician_id), array_agg(c.starts), array_agg(c.ends))
       FROM (SELECT o.technician_id, o.planned_start AS starts, o.planned_end AS ends
               FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE (o.technician_id, o.planned_start, o.planned_end, o.window_start, o.window_end,
                     o.status, o.unassigned_reason, o.lat, o.lon, o.postcode, o.pinned)
                    IS DISTINCT FROM
                    (n.technician_id, n.planned_start, n.planned_end, n.window_start, n.window_end,
                     n.status, n.unassigned_reason, n.lat, n.lon, n.postcode, n.pinned)
             UNION ALL
             SELECT n.technician_id, n.planned_start, n.planned_end
               FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE (o.technician_id, o.planned_start, o.planned_end, o.window_start, o.window_end,
                     o.status, o.unassigned_reason, o.lat, o.lon, o.postcode, o.pinned)
                    IS DISTINCT FROM
                    (n.technician_id, n.planned_start, n.planned_end, n.window_start, n.window_end,
                     n.status, n.unassigned_reason, n.lat, n.lon, n.postcode, n.pinned)) AS c;
  ELSE
    PERFORM mark_route_days(array_agg(c.technician_id), array_agg(c.starts), array_agg(c.ends))
       FROM (SELECT technician_id, planned_start AS starts, planned_end AS ends FROM old_rows
             UNION ALL
             SELECT technician_id, planned_start, planned_end FROM new_rows) AS c;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER visits_route_days_inserted AFTER INSERT ON visits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION route_days_inserted();
CREATE TRIGGER visits_route_days_updated AFTER UPDATE ON visits
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION route_days_updated();
CREATE TRIGGER visits_route_days_deleted AFTER DELETE ON visits
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION route_days_deleted();

CREATE TRIGGER holds_route_days_inserted AFTER INSERT ON holds
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION route_days_inserted();
CREATE TRIGGER holds_route_days_updated AFTER UPDATE ON holds
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION route_days_updated();
CREATE TRIGGER holds_route_days_deleted AFTER DELETE ON holds
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION route_days_deleted();
