-- Automation state (C9) that must survive a restart: per-contact state
-- (cooldowns, once-per-contact, counters, segment inputs), per-conversation
-- state (pauses after a handoff, the firing budget) and "no reply within X"
-- timers, one per contact and timer definition.
CREATE TABLE automation_contacts (
    contact TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE automation_conversations (
    conversation TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE automation_timers (
    contact TEXT NOT NULL,
    timer_id TEXT NOT NULL,
    conversation TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (contact, timer_id)
);
CREATE INDEX automation_timers_due ON automation_timers (due_at);
