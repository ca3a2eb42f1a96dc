-- TRUNCATE fires no row or transition-table trigger, so route_day_changes cannot say which days it
-- emptied: it stamps reference_changes instead, and a slot reader that sees that stamp forgets every
-- route it keeps as well (src/domain/booked-routes.ts).
CREATE TRIGGER visits_truncated AFTER TRUNCATE ON visits
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER holds_truncated AFTER TRUNCATE ON holds
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
