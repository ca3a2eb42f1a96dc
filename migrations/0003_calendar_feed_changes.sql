-- When a visit leaves a calendar feed without leaving a trace in the rows the feed still reads
-- (moved to another technician, or deleted), the feed's Last-Modified must still move forward:
-- calendar clients revalidate with If-Modified-Since and would otherwise keep the stale event.
-- A trigger records it, so every code path that writes visits (bookings, plans) is covered.
-- feed: 'team' or 'technician:<uuid>'.
CREATE TABLE calendar_feed_changes (
  feed text PRIMARY KEY,
  changed_at timestamptz NOT NULL
);

CREATE FUNCTION calendar_feed_departure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO calendar_feed_changes (feed, changed_at)
  VALUES ('technician:' || OLD.technician_id::text, now())
  ON CONFLICT (feed) DO UPDATE SET changed_at = GREATEST(calendar_feed_changes.changed_at, EXCLUDED.changed_at);
  IF TG_OP = 'DELETE' THEN
    INSERT INTO calendar_feed_changes (feed, changed_at)
    VALUES ('team', now())
    ON CONFLICT (feed) DO UPDATE SET changed_at = GREATEST(calendar_feed_changes.changed_at, EXCLUDED.changed_at);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER visits_calendar_feed_reassigned
  AFTER UPDATE OF technician_id ON visits
  FOR EACH ROW WHEN (OLD.technician_id IS DISTINCT FROM NEW.technician_id)
  EXECUTE FUNCTION calendar_feed_departure();

CREATE TRIGGER visits_calendar_feed_deleted
  AFTER DELETE ON visits
  FOR EACH ROW
  EXECUTE FUNCTION calendar_feed_departure();
