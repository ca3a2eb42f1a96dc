-- Slot queries also keep the slowly-changing data they read (settings, services, zones, technicians,
-- working hours, absences) in memory (src/domain/slot-reads.ts). A statement on any of those tables
-- stamps this one row with its transaction id, so the question a slot request already asks about
-- booked routes (migration 0019_route_day_changes) also tells whether any of it changed: an admin's
-- edit shows in the next answer on every instance, not after a time-to-live.
-- One row: these tables change a few times a day, so writers waiting on it is not a concern.
CREATE TABLE reference_changes (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  changed_by xid8 NOT NULL
);
INSERT INTO reference_changes (changed_by) VALUES (pg_current_xact_id());

CREATE FUNCTION mark_reference_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE reference_changes SET changed_by = pg_current_xact_id();
  RETURN NULL;
END;
$$;

CREATE TRIGGER company_settings_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON company_settings
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER skills_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON skills
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER zones_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON zones
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER zone_postcodes_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON zone_postcodes
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER technicians_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON technicians
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER technician_skills_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON technician_skills
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER technician_zones_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON technician_zones
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER working_hours_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON working_hours
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER availability_exceptions_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON availability_exceptions
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER services_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
CREATE TRIGGER service_skills_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_skills
  FOR EACH STATEMENT EXECUTE FUNCTION mark_reference_change();
