-- Slot queries now keep make-room's results (src/domain/room/offer.ts) until a route they read
-- changes. Make-room also reads, of each booked visit, its service (the skills it needs) and its
-- progress (a started visit is never moved): a change to either now marks the visit's route days as
-- well (migration 0019_route_day_changes), so a kept result follows it in the next slot answer.
-- Notes, contact details and the like still mark nothing.
CREATE OR REPLACE FUNCTION route_days_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'visits' THEN
    PERFORM mark_route_days(array_agg(c.technician_id), array_agg(c.starts), array_agg(c.ends))
       FROM (SELECT o.technician_id, o.planned_start AS starts, o.planned_end AS ends
               FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE (o.technician_id, o.planned_start, o.planned_end, o.window_start, o.window_end,
                     o.status, o.unassigned_reason, o.lat, o.lon, o.postcode, o.pinned,
                     o.service_id, o.progress)
                    IS DISTINCT FROM
                    (n.technician_id, n.planned_start, n.planned_end, n.window_start, n.window_end,
                     n.status, n.unassigned_reason, n.lat, n.lon, n.postcode, n.pinned,
                     n.service_id, n.progress)
             UNION ALL
             SELECT n.technician_id, n.planned_start, n.planned_end
               FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE (o.technician_id, o.planned_start, o.planned_end, o.window_start, o.window_end,
                     o.status, o.unassigned_reason, o.lat, o.lon, o.postcode, o.pinned,
                     o.service_id, o.progress)
                    IS DISTINCT FROM
                    (n.technician_id, n.planned_start, n.planned_end, n.window_start, n.window_end,
                     n.status, n.unassigned_reason, n.lat, n.lon, n.postcode, n.pinned,
                     n.service_id, n.progress)) AS c;
  ELSE
    PERFORM mark_route_days(array_agg(c.technician_id), array_agg(c.starts), array_agg(c.ends))
       FROM (SELECT technician_id, planned_start AS starts, planned_end AS ends FROM old_rows
             UNION ALL
             SELECT technician_id, planned_start, planned_end FROM new_rows) AS c;
  END IF;
  RETURN NULL;
END;
$$;
