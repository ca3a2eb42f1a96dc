-- A message's id is the hash of its dedupe key (messageIdOf in src/db/outbox.ts), and every writer
-- (finishEvents, insertMessages) writes it so: the primary key already makes each message once-only,
-- and the unique index on dedupe_key was a second B-tree of the same fact, written with every
-- message (a text key: 111 bytes of WAL a message, bench:outbox-drain --wal). Writers now meet a
-- message already made on the primary key (ON CONFLICT (id)).
ALTER TABLE messages DROP CONSTRAINT messages_dedupe_key_key;

-- Messages are made only from their event, by the statement that marks it dispatched, and no event
-- is ever deleted (an erasure scrubs it): the foreign key to outbox was checked for every message
-- written (a lookup and a row lock on the event, logged: 55 bytes of WAL a message) and never
-- acted on. outbox_id stays the event the message came from.
ALTER TABLE messages DROP CONSTRAINT messages_outbox_id_fkey;
