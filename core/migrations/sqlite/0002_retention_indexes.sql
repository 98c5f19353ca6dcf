-- Retention scans messages by age and conversations by close time.
CREATE INDEX messages_created_at ON messages (created_at);
CREATE INDEX conversations_closed_at ON conversations (status, closed_at);
