-- The .ics link of a booking carries its own read-only token: a calendar service that fetches it
-- learns nothing that can change or cancel the visit. NULL for bookings made before (their .ics links
-- carried the manage token, which those links keep accepting read-only).
ALTER TABLE visits ADD COLUMN calendar_token_hash text;
