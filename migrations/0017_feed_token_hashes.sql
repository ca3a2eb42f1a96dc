-- Calendar feed tokens stored as SHA-256 hashes, as API tokens are (issue 18 item 13): a copy of the
-- database no longer opens every technician's calendar. The URL is shown once, when a token is made
-- or rotated. Existing feed URLs keep working: their token hashes to the stored value.
ALTER TABLE technicians ADD COLUMN feed_token_hash text UNIQUE;
UPDATE technicians SET feed_token_hash = encode(sha256(convert_to(feed_token, 'UTF8')), 'hex')
  WHERE feed_token IS NOT NULL;
ALTER TABLE technicians DROP COLUMN feed_token;

ALTER TABLE company_settings ADD COLUMN team_feed_token_hash text;
UPDATE company_settings SET team_feed_token_hash = encode(sha256(convert_to(team_feed_token, 'UTF8')), 'hex');
ALTER TABLE company_settings ALTER COLUMN team_feed_token_hash SET NOT NULL;
ALTER TABLE company_settings DROP COLUMN team_feed_token;
