-- The kind of area around a technician's home base (the kind of the zone whose postal-code centroid
-- is nearest), stored instead of computed by every read of the eligible technicians. Computed, it
-- ranked every zone_postcodes row for each eligible technician: at the L benchmark company (330
-- postal codes, 25–35 technicians eligible for an address) most of a booking's open statement
-- (2.8 ms of backend CPU against 0.6 ms at S) and of a slot request's eligibility read (2.4 ms).
-- Kept by triggers, so no writer can forget it: a technician's home moving, and any change of the
-- postal codes or of a zone's kind (which can change every technician's nearest centroid).

-- Equirectangular distance is enough to rank centroids a few km apart (as the query it replaces);
-- ties (a postal code in two zones) broken by the densest kind, then the zone's name.
CREATE FUNCTION nearest_zone_kind(home_lat double precision, home_lon double precision)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT z.kind FROM zone_postcodes AS zp JOIN zones AS z ON z.id = zp.zone_id
   ORDER BY power(zp.lat - home_lat, 2) + power((zp.lon - home_lon) * cos(radians(home_lat)), 2),
            array_position(ARRAY['urban', 'periurban', 'rural'], z.kind), z.name
   LIMIT 1
$$;

ALTER TABLE technicians
  ADD COLUMN home_zone_kind text CHECK (home_zone_kind IN ('urban', 'periurban', 'rural'));
UPDATE technicians SET home_zone_kind = nearest_zone_kind(home_lat, home_lon);

CREATE FUNCTION technician_home_zone_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.home_zone_kind := nearest_zone_kind(NEW.home_lat, NEW.home_lon);
  RETURN NEW;
END;
$$;
CREATE TRIGGER technicians_home_zone_kind BEFORE INSERT OR UPDATE OF home_lat, home_lon ON technicians
  FOR EACH ROW EXECUTE FUNCTION technician_home_zone_kind();

-- Postal codes or kinds changed: every home's nearest centroid may have (admin edits, rare).
CREATE FUNCTION technicians_home_zone_kinds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE technicians AS t SET home_zone_kind = n.kind
    FROM (SELECT id, nearest_zone_kind(home_lat, home_lon) AS kind FROM technicians) AS n
   WHERE t.id = n.id AND t.home_zone_kind IS DISTINCT FROM n.kind;
  RETURN NULL;
END;
$$;
CREATE TRIGGER zone_postcodes_home_zone_kinds AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON zone_postcodes
  FOR EACH STATEMENT EXECUTE FUNCTION technicians_home_zone_kinds();
CREATE TRIGGER zones_home_zone_kinds AFTER UPDATE OF kind ON zones
  FOR EACH STATEMENT EXECUTE FUNCTION technicians_home_zone_kinds();
