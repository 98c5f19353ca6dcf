-- A message row is written when it is sent and then rewritten by each of its
-- status webhooks (sent, delivered, read) within minutes. Room left on each
-- page lets those rewrites stay on the page (HOT updates): no new entry in the
-- messages' four indexes per status. Applies to pages written from now on.
ALTER TABLE messages SET (fillfactor = 70);
