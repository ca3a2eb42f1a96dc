-- The planner's real day (issue 16).
-- progress: how far the technician got with a booked visit today. A visit past 'planned' has started
-- (or ended): proposals never move it. 'done' also sets status = 'done' (the survey reads done_at).
ALTER TABLE visits
  ADD COLUMN progress text NOT NULL DEFAULT 'planned'
    CHECK (progress IN ('planned', 'en_route', 'on_site', 'done', 'no_show')),
  ADD COLUMN progress_at timestamptz,
  -- Set when the visit lost its technician (an absence recorded after booking, a closure): it waits in
  -- the planner's unassigned lane with technician_id kept as the previous technician, holds none of
  -- that technician's time, and leaves their calendar feed, until a plan or a move places it again.
  ADD COLUMN unassigned_reason text
    CHECK (unassigned_reason IN ('technician-absent', 'move-failed', 'no-technician')),
  ADD COLUMN unassigned_at timestamptz;

-- An unassigned visit no longer holds its previous technician's time.
ALTER TABLE visits DROP CONSTRAINT visits_no_overlap;
ALTER TABLE visits ADD CONSTRAINT visits_no_overlap EXCLUDE USING gist (
  technician_id WITH =,
  tstzrange(planned_start, planned_end) WITH &&
) WHERE (status = 'booked' AND unassigned_reason IS NULL) DEFERRABLE INITIALLY IMMEDIATE;

CREATE INDEX visits_unassigned ON visits (planned_start) WHERE unassigned_reason IS NOT NULL;

-- Leaving the lane's technician counts as leaving their feed (same watermark as a reassignment, 0003).
CREATE TRIGGER visits_calendar_feed_unassigned
  AFTER UPDATE OF unassigned_reason ON visits
  FOR EACH ROW WHEN (OLD.unassigned_reason IS NULL AND NEW.unassigned_reason IS NOT NULL)
  EXECUTE FUNCTION calendar_feed_departure();
