-- A booking finds its customer by phone (customer_link: phones @> ARRAY[phone]) through the GIN
-- index customers_phones. With GIN's fast update on (the default), new entries wait in a pending
-- list that every search reads in full until VACUUM, autovacuum's analyze or a 4 MB list merges it;
-- a manual ANALYZE does not. After a bulk load (the demo seed, an import) the whole index sat in
-- that list: 58,030 pending entries at the L benchmark company, read by every booking's lookup,
-- 2.85 ms of the record statement's 4.87 ms of backend CPU (bench:booking-cpu's cycle on L).
-- A customer has one or two phones, so fast update saves next to nothing on insert: entries go
-- straight into the index, and a lookup reads only its own few pages.
ALTER INDEX customers_phones SET (fastupdate = off);
-- Turning it off does not merge what is already pending (a database migrated with customers in it).
SELECT gin_clean_pending_list('customers_phones'::regclass);
