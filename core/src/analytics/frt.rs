//! Conversation starts and first responses within one thread, and the
//! figures a thread contributes to a report (both paths use these).

use super::clock::Clock;
use super::model::{ReportConfig, START_GAP_MS};
use crate::time::Millis;

/// One message of a thread as the FRT rule sees it (threads are sorted by
/// time, then message id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ThreadMsg {
    /// Inbound time, or an outbound message's sent time.
    pub at: Millis,
    /// From the customer.
    pub inbound: bool,
    /// An outbound message that counts as a response (human, or automated when asked).
    pub responds: bool,
    /// Agent who sent it (interned id).
    pub agent: Option<u32>,
}

/// A conversation start and its first response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Start {
    /// Start time.
    pub at: Millis,
    /// Delay to the first response and the responding agent.
    pub response: Option<(Millis, Option<u32>)>,
}

/// Starts and first responses of a thread; `msgs` sorted by `(at, id)`.
/// A response answers every start before it that was still waiting (the
/// definition: the first outbound message after the start).
pub(crate) fn starts(msgs: &[ThreadMsg]) -> Vec<Start> {
    let mut out: Vec<Start> = Vec::new();
    let mut waiting = 0; // index of the first start without a response
    let mut prev: Option<Millis> = None;
    for m in msgs {
        if m.inbound {
            if prev.is_none_or(|p| m.at - p >= START_GAP_MS) {
                out.push(Start {
                    at: m.at,
                    response: None,
                });
            }
        } else if m.responds {
            for s in &mut out[waiting..] {
                s.response = Some((m.at - s.at, m.agent));
            }
            waiting = out.len();
        }
        prev = Some(m.at);
    }
    out
}

/// What one thread adds to a report, and the state a message appended after
/// the thread's last one needs (the engine's fast path).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ThreadTally {
    /// Answered starts in range, in start order: delay (ms) and agent.
    pub answered: Vec<(Millis, Option<u32>)>,
    /// Starts in range still waiting for a response (the unanswered ones):
    /// always the starts after the last response, so a response answers
    /// all of them.
    pub waiting: Vec<Millis>,
    /// Local day of each start in range (for the complaint rule).
    pub days: Vec<i32>,
    /// Whether the thread's customer carries the complaint tag.
    pub complaint: bool,
    /// Time of the thread's last message before the range end.
    pub last: Option<Millis>,
}

/// The tally of a thread's messages (`msgs` sorted; those at or after the
/// range end are skipped here).
pub(crate) fn thread_tally(
    msgs: &[ThreadMsg],
    complaint: bool,
    cfg: &ReportConfig,
    clock: &mut Clock,
) -> ThreadTally {
    let end = msgs.partition_point(|m| cfg.before_end(m.at));
    let mut t = ThreadTally {
        complaint,
        last: end.checked_sub(1).map(|i| msgs[i].at),
        ..Default::default()
    };
    for s in starts(&msgs[..end]) {
        if !cfg.contains(s.at) {
            continue;
        }
        t.days.push(clock.day(s.at));
        match s.response {
            Some((d, a)) => t.answered.push((d, a)),
            None => t.waiting.push(s.at),
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Millis = 3_600_000;

    fn inb(at: Millis) -> ThreadMsg {
        ThreadMsg {
            at,
            inbound: true,
            responds: false,
            agent: None,
        }
    }
    fn out(at: Millis, responds: bool, agent: Option<u32>) -> ThreadMsg {
        ThreadMsg {
            at,
            inbound: false,
            responds,
            agent,
        }
    }

    #[test]
    fn a_gap_of_exactly_24_hours_starts_a_new_conversation() {
        let s = starts(&[inb(0), inb(24 * H - 1), inb(48 * H - 1)]);
        assert_eq!(
            s.len(),
            2,
            "second message is 1 ms inside 24 h, the third exactly 24 h later"
        );
        assert_eq!(s[1].at, 48 * H - 1);
    }

    #[test]
    fn outbound_messages_also_keep_a_thread_alive() {
        let s = starts(&[out(0, true, None), inb(10 * H)]);
        assert!(
            s.is_empty(),
            "an inbound 10 h after our message is not a start"
        );
    }

    #[test]
    fn automation_does_not_answer_but_keeps_the_thread_alive() {
        let s = starts(&[inb(0), out(1_000, false, None), out(60_000, true, Some(7))]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].response, Some((60_000, Some(7))));
    }

    #[test]
    fn unanswered_start_answered_later_by_the_first_outbound() {
        let s = starts(&[inb(0), inb(30 * H), out(31 * H, true, None)]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].response, Some((31 * H, None)));
        assert_eq!(s[1].response, Some((H, None)));
    }

    #[test]
    fn responses_after_the_range_end_leave_the_start_unanswered() {
        let cfg = ReportConfig {
            from: Some(0),
            to: Some(H),
            ..Default::default()
        };
        let mut clock = Clock::new(cfg.tz);
        let t = thread_tally(&[inb(10), out(2 * H, true, None)], false, &cfg, &mut clock);
        assert_eq!(t.waiting, [10]);
        assert!(t.answered.is_empty());
    }
}
