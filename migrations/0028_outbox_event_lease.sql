-- An event is taken by a worker under a lease (locked_until, as a message is), delivered, and only
-- then are its messages written — in their final state (sent, skipped, failed, or pending for a
-- retry) — in the statement that marks the event dispatched. Until now the event was marked
-- dispatched and its messages inserted as pending and taken, then every message was updated with
-- its outcome: three row writes an event and message, two of them non-HOT, and a dead message row
-- each. The lease takes the place of the dispatching transaction: a worker that dies after taking
-- events leaves them to the next one when the lease ends, and they go out again under the same
-- message ids (receivers dedupe), as a message whose outcome was not recorded does.
--
-- locked_until is in no index, so taking an event is a HOT update when its page has room: the
-- outbox's pages keep a tenth free for them.
ALTER TABLE outbox ADD COLUMN locked_until timestamptz;
ALTER TABLE outbox SET (fillfactor = 90);
