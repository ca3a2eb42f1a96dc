-- The worker writes each event twice after the booking inserts it: its claim (locked_until, in no
-- index: a HOT update) and its dispatch (dispatched_at, in outbox_undispatched's predicate: never
-- HOT, but a new version on the same page is logged as the bytes that changed). An event is about
-- 1.2 kB (the visit's snapshot), so the tenth left free by 0028 held no second version: most claims
-- and dispatches went to another page, each logging the whole row again and new index entries.
-- Half of each page free keeps both on the event's page, until pruning reclaims the old versions.
-- bench:outbox-drain --events 400 --per-run 8 --wal, WAL per message (one event, one e-mail):
-- 4,182 → 3,261 bytes, of which the worker's (all but the event's insert): 2,973 → 2,052; the
-- outbox's index entries per event 6.7 → 5 (the claim is HOT every time, no longer 41 %).
ALTER TABLE outbox SET (fillfactor = 50);
