//! A matcher for the small regex dialect of libphonenumber's metadata:
//! digits, `\d`, digit classes, `(?:…)` and `(…)` groups, `|`, `?`, `{n}`,
//! `{n,m}` and `$`, matched against ASCII digits.
//!
//! Compiling one of these patterns with the `regex` crate costs tens to
//! hundreds of microseconds, and a one-line `wacrm phone normalize` needs ten
//! of them; parsing one here costs about a microsecond. Matching backtracks
//! in priority order, which is how the `regex` crate's leftmost-first
//! semantics define the match and its groups, and the patterns are written
//! for backtracking engines (libphonenumber's Java and JavaScript). A pattern
//! outside the dialect is not parsed (`None`) and its caller uses `regex`.

use std::cell::Cell;

/// Digits 0–9 as a bit set.
type Set = u16;

const ALL_DIGITS: Set = 0x3FF;

#[derive(Debug)]
enum Node {
    /// One digit from the set.
    Set(Set),
    /// Alternatives, tried in order; capture group index when capturing.
    Group(Vec<Alt>, Option<usize>),
    /// End of the text.
    End,
}

/// One alternative, with what it can start with: most alternatives of a
/// metadata pattern fail on their first digit, and are skipped without
/// being tried.
#[derive(Debug)]
struct Alt {
    items: Vec<Item>,
    /// Digits a match of it can start with.
    first: Set,
    /// Whether it can match without taking a digit (then never skipped).
    empty: bool,
}

impl Alt {
    fn new(items: Vec<Item>) -> Alt {
        let mut first = 0;
        for item in &items {
            let (f, empty) = match &item.node {
                Node::Set(set) => (*set, false),
                Node::Group(alts, _) => (
                    alts.iter().fold(0, |a, x| a | x.first),
                    alts.iter().any(|x| x.empty),
                ),
                Node::End => (0, true),
            };
            first |= f;
            if item.min > 0 && !empty {
                return Alt {
                    items,
                    first,
                    empty: false,
                };
            }
        }
        Alt {
            items,
            first,
            empty: true,
        }
    }
}

#[derive(Debug)]
struct Item {
    node: Node,
    min: u8,
    max: u8,
}

/// A parsed pattern.
#[derive(Debug)]
pub(crate) struct Pattern {
    alts: Vec<Alt>,
    groups: usize,
}

/// Where each capture group matched, by group index (0 is the whole match).
pub(crate) type Groups = Vec<Option<(usize, usize)>>;

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
    groups: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let yes = self.peek() == Some(b);
        self.at += usize::from(yes);
        yes
    }

    fn alts(&mut self) -> Option<Vec<Alt>> {
        let mut alts = vec![Alt::new(self.seq()?)];
        while self.eat(b'|') {
            alts.push(Alt::new(self.seq()?));
        }
        Some(alts)
    }

    fn seq(&mut self) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        while let Some(b) = self.peek() {
            if b == b'|' || b == b')' {
                break;
            }
            let node = self.atom()?;
            let (min, max) = self.quantifier()?;
            if matches!(node, Node::End) && (min, max) != (1, 1) {
                return None;
            }
            items.push(Item { node, min, max });
        }
        Some(items)
    }

    fn atom(&mut self) -> Option<Node> {
        let b = self.peek()?;
        self.at += 1;
        match b {
            b'0'..=b'9' => Some(Node::Set(1 << (b - b'0'))),
            b'\\' => self.eat(b'd').then_some(Node::Set(ALL_DIGITS)),
            b'$' => Some(Node::End),
            b'[' => self.class(),
            b'(' => {
                let cap = if self.eat(b'?') {
                    if !self.eat(b':') {
                        return None;
                    }
                    None
                } else {
                    self.groups += 1;
                    Some(self.groups)
                };
                let alts = self.alts()?;
                self.eat(b')').then_some(Node::Group(alts, cap))
            }
            _ => None,
        }
    }

    fn class(&mut self) -> Option<Node> {
        let mut set: Set = 0;
        loop {
            let b = self.peek()?;
            self.at += 1;
            match b {
                b']' if set != 0 => return Some(Node::Set(set)),
                b'\\' => {
                    if !self.eat(b'd') {
                        return None;
                    }
                    set |= ALL_DIGITS;
                }
                b'0'..=b'9' => {
                    let lo = b - b'0';
                    let hi = if self.peek() == Some(b'-')
                        && self.s.get(self.at + 1).is_some_and(u8::is_ascii_digit)
                    {
                        let hi = self.s[self.at + 1] - b'0';
                        self.at += 2;
                        hi
                    } else {
                        lo
                    };
                    if hi < lo {
                        return None;
                    }
                    for d in lo..=hi {
                        set |= 1 << d;
                    }
                }
                _ => return None,
            }
        }
    }

    fn number(&mut self) -> Option<u8> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        std::str::from_utf8(&self.s[start..self.at])
            .ok()?
            .parse()
            .ok()
    }

    fn quantifier(&mut self) -> Option<(u8, u8)> {
        let q = match self.peek() {
            Some(b'?') => {
                self.at += 1;
                (0, 1)
            }
            Some(b'{') => {
                self.at += 1;
                let min = self.number()?;
                let max = if self.eat(b',') { self.number()? } else { min };
                if !self.eat(b'}') || max < min || max == 0 {
                    return None;
                }
                (min, max)
            }
            Some(b'*' | b'+') => return None,
            _ => (1, 1),
        };
        // A second quantifier (lazy `??`, `{2}?`) is outside the dialect.
        match self.peek() {
            Some(b'?' | b'{' | b'*' | b'+') if q != (1, 1) => None,
            _ => Some(q),
        }
    }
}

/// Matching state: the text and the capture groups of the path being tried
/// (none recorded when `groups` is empty).
struct Run<'a> {
    hay: &'a [u8],
    groups: &'a [Cell<Option<(usize, usize)>>],
}

impl Run<'_> {
    fn digit(&self, at: usize, set: Set) -> bool {
        self.hay
            .get(at)
            .is_some_and(|b| b.wrapping_sub(b'0') < 10 && set & (1 << (b - b'0')) != 0)
    }

    fn alts(&self, alts: &[Alt], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        alts.iter()
            .any(|a| (a.empty || self.digit(at, a.first)) && self.seq(&a.items, at, k))
    }

    fn seq(&self, seq: &[Item], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let Some((first, rest)) = seq.split_first() else {
            return k(at);
        };
        if let Node::Set(set) = first.node {
            // A run of digits from one set: take as many as allowed, then
            // give them back one at a time (greedy).
            let mut n = 0;
            while n < usize::from(first.max) && self.digit(at + n, set) {
                n += 1;
            }
            let min = usize::from(first.min);
            while n >= min {
                if self.seq(rest, at + n, k) {
                    return true;
                }
                if n == 0 {
                    break;
                }
                n -= 1;
            }
            return false;
        }
        self.repeat(first, 0, at, &mut |p| self.seq(rest, p, k))
    }

    /// `item` matched `count` times so far, ending at `at`.
    fn repeat(&self, item: &Item, count: u8, at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        if count < item.max {
            let tried = match &item.node {
                Node::Group(alts, cap) => {
                    // Bounded repeats need no guard against empty loops: each
                    // one is tried like its unrolled copy would be.
                    let mut next = |p: usize| match cap.and_then(|i| self.groups.get(i)) {
                        Some(slot) => {
                            let old = slot.replace(Some((at, p)));
                            let ok = self.repeat(item, count + 1, p, k);
                            if !ok {
                                slot.set(old);
                            }
                            ok
                        }
                        None => self.repeat(item, count + 1, p, k),
                    };
                    self.alts(alts, at, &mut next)
                }
                Node::End => at == self.hay.len() && self.repeat(item, count + 1, at, k),
                Node::Set(set) => self.digit(at, *set) && self.repeat(item, count + 1, at + 1, k),
            };
            if tried {
                return true;
            }
        }
        count >= item.min && k(at)
    }
}

impl Pattern {
    /// Parse `src`, or `None` when it is outside the dialect.
    pub(crate) fn parse(src: &str) -> Option<Pattern> {
        let mut p = Parser {
            s: src.as_bytes(),
            at: 0,
            groups: 0,
        };
        let alts = p.alts()?;
        (p.at == p.s.len()).then_some(Pattern {
            alts,
            groups: p.groups,
        })
    }

    fn run(
        &self,
        hay: &str,
        groups: &[Cell<Option<(usize, usize)>>],
        whole: bool,
    ) -> Option<usize> {
        let run = Run {
            hay: hay.as_bytes(),
            groups,
        };
        let mut end = None;
        let mut accept = |p: usize| {
            if whole && p != hay.len() {
                return false;
            }
            end = Some(p);
            true
        };
        run.alts(&self.alts, 0, &mut accept);
        end
    }

    /// Whether the whole of `hay` matches (`^(?:P)$`).
    pub(crate) fn is_full_match(&self, hay: &str) -> bool {
        self.run(hay, &[], true).is_some()
    }

    /// The end of the match at the start of `hay` (`^(?:P)`), as
    /// leftmost-first matching finds it.
    pub(crate) fn prefix_end(&self, hay: &str) -> Option<usize> {
        self.run(hay, &[], false)
    }

    /// The groups of the match at the start of `hay` (or of all of it when
    /// `whole`); index 0 is the match itself.
    pub(crate) fn captures(&self, hay: &str, whole: bool) -> Option<Groups> {
        let cells: Vec<Cell<Option<(usize, usize)>>> =
            (0..=self.groups).map(|_| Cell::new(None)).collect();
        let end = self.run(hay, &cells, whole)?;
        let mut groups: Groups = cells.into_iter().map(Cell::into_inner).collect();
        groups[0] = Some((0, end));
        Some(groups)
    }

    /// Number of capture groups (not counting the whole match).
    #[cfg(test)]
    pub(crate) fn group_count(&self) -> usize {
        self.groups
    }
}

#[cfg(test)]
#[path = "pattern_tests.rs"]
mod tests;
