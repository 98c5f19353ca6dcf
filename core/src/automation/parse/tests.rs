use super::*;

const ISSUE_FILE: &str = r#"
[business_hours]
timezone = "America/Sao_Paulo"
holidays = ["2026-12-25"]
[business_hours.weekly]
mon = "08:00-17:00"      # tue … sun likewise; a missing day is closed
[sensitive_words]
words = ["senha", "password"]

[[rules]]
id = "shipping"
keywords = ["frete", "envío", "shipping", "配送", "运费"]
match = "word"           # contains | word | exact | starts_with | regex
priority = 50            # higher is evaluated first
cooldown = "30m"         # durations: "45s", "30m", "12h", "7d"
once_per_contact = false
when = "always"          # always | in_hours | out_of_hours
stop = false             # true: no lower-priority rule fires after this one
fold_accents = false
min_count = 1            # fires once the contact has matched this rule this many times
actions = [
  { reply = 'Hi {{first_name|default:"there"}}, shipping takes 2 days. We answer at {{next_open}}.' },
  { tag = "asked-shipping" },
  { handoff = true },
  { pause_automation = "12h" },
  { untag = "new" },
  { set = "attr:topic", value = "shipping" },
  { send_template = "shipping_info", language = "pt_BR" },
]
"#;

#[test]
fn the_issue_format_parses() {
    let s = RuleSet::from_toml(ISSUE_FILE).unwrap();
    assert_eq!(s.rules.len(), 1);
    let r = &s.rules[0];
    assert_eq!(r.id, "shipping");
    assert_eq!(r.keywords.len(), 5);
    assert_eq!(r.mode, MatchMode::Word);
    assert_eq!(r.priority, 50);
    assert_eq!(r.cooldown, Some(std::time::Duration::from_secs(1800)));
    assert_eq!(r.actions.len(), 7);
    assert!(matches!(&r.actions[4], Action::Untag(t) if t == "new"));
    assert!(
        matches!(&r.actions[5], Action::Set { attr, value } if attr == "topic" && value == "shipping")
    );
    assert!(matches!(&r.actions[6], Action::SendTemplate { language, .. } if language == "pt_BR"));
    let h = s.hours.as_ref().unwrap();
    assert_eq!(h.tz, chrono_tz::America::Sao_Paulo);
    assert_eq!(h.weekly[0].len(), 1);
    assert!(h.weekly[1].is_empty());
    assert_eq!(h.holidays.len(), 1);
    assert_eq!(s.sensitive_words, ["senha", "password"]);
}

fn err(src: &str) -> String {
    RuleSet::from_toml(src).unwrap_err().to_string()
}

#[test]
fn unknown_values_are_refused_with_their_line() {
    let base = "[[rules]]\nid = \"a\"\nkeywords = [\"x\"]\n";
    let with = |extra: &str| format!("{base}{extra}\nactions = [{{ tag = \"t\" }}]\n");
    let e = err(&with("match = \"fuzzy\""));
    assert!(
        e.contains("line 4") && e.contains("unknown match mode \"fuzzy\""),
        "{e}"
    );
    let e = err(&with("cooldown = \"3 weeks\""));
    assert!(
        e.contains("line 4") && e.contains("unknown duration"),
        "{e}"
    );
    let e = err(&with("when = \"weekends\""));
    assert!(e.contains("line 4") && e.contains("unknown `when`"), "{e}");
    let e = err(&with("when = \"in_hours\""));
    assert!(
        e.contains("line 4") && e.contains("[business_hours]"),
        "{e}"
    );
    let e = err(&format!(
        "{base}actions = [\n  {{ tag = \"t\" }},\n  {{ explode = true }},\n]\n"
    ));
    assert!(
        e.contains("line 6") && e.contains("unknown action `explode`"),
        "{e}"
    );
    let e = err(&format!(
        "{base}actions = [{{ reply = \"Hi {{{{surname}}}}\" }}]\n"
    ));
    assert!(
        e.contains("line 4") && e.contains("unknown template variable"),
        "{e}"
    );
    let e = err(&format!(
        "{base}actions = [{{ pause_automation = \"soon\" }}]\n"
    ));
    assert!(
        e.contains("line 4") && e.contains("unknown duration"),
        "{e}"
    );
    let e = err(&format!(
        "{base}colour = \"red\"\nactions = [{{ tag = \"t\" }}]\n"
    ));
    assert!(e.contains("line 4") && e.contains("colour"), "{e}");
}

#[test]
fn unknown_days_times_and_zones_are_refused_with_their_line() {
    let e = err("[business_hours]\ntimezone = \"Mars/Olympus\"\n");
    assert!(
        e.contains("line 2") && e.contains("unknown time zone"),
        "{e}"
    );
    let e = err(
        "[business_hours]\ntimezone = \"UTC\"\n[business_hours.weekly]\nmon = \"09:00-17:00\"\nfunday = \"09:00-17:00\"\n",
    );
    assert!(
        e.contains("line 5") && e.contains("unknown day `funday`"),
        "{e}"
    );
    let e =
        err("[business_hours]\ntimezone = \"UTC\"\n[business_hours.weekly]\nmon = \"9am-5pm\"\n");
    assert!(e.contains("line 4"), "{e}");
    let e = err("[business_hours]\ntimezone = \"UTC\"\nholidays = [\n\"2026-13-01\"]\n");
    assert!(e.contains("line 4") && e.contains("unknown date"), "{e}");
}

#[test]
fn syntax_errors_and_duplicates_carry_lines() {
    let e = err("[[rules]]\nid = \"a\"\nkeywords = [\"x\"\n");
    assert!(e.contains("rules line"), "{e}");
    let e = err(
        "[[rules]]\nid = \"a\"\nkeywords = [\"x\"]\nactions = [{ tag = \"t\" }]\n[[rules]]\nid = \"a\"\nkeywords = [\"y\"]\nactions = [{ tag = \"t\" }]\n",
    );
    assert!(e.contains("line 6") && e.contains("used twice"), "{e}");
    let e = err("[[rules]]\nid = \"a\"\nkeywords = []\nactions = [{ tag = \"t\" }]\n");
    assert!(e.contains("line 2") && e.contains("keywords"), "{e}");
    let e = err(
        "[[rules]]\nid = \"a\"\nkeywords = [\"x\"]\nmatch = \"regex\"\n\nactions = [{ tag = \"t\" }]\n[[rules]]\nid = \"b\"\nkeywords = [\"(\"]\nmatch = \"regex\"\nactions = [{ tag = \"t\" }]\n",
    );
    assert!(e.contains("line 8") && e.contains("bad regex"), "{e}");
    let e = err(
        "[[rules]]\nid = \"a\"\nkeywords = [\"x\"]\nactions = [{ tag = \"t\", untag = \"u\" }]\n",
    );
    assert!(e.contains("line 4") && e.contains("exactly one"), "{e}");
}

#[test]
fn optional_sections() {
    let s = RuleSet::from_toml(
        r#"
language = "es"
[handoff]
builtin = false
phrases = ["un humano"]
pause = "2h"
[limits]
max_firings_per_hour = 3
[lifecycle]
dormant_after = "30d"
high_intent_tag = "hot"
[[stores]]
name = "Centro"
lat = 19.43
lon = -99.13
[[timers]]
id = "nudge"
after = "24h"
actions = [{ reply = "¿Seguimos?" }]
"#,
    )
    .unwrap();
    assert_eq!(s.language, Lang::Es);
    assert!(!s.handoff_builtin);
    assert_eq!(s.limits.handoff_pause, std::time::Duration::from_secs(7200));
    assert_eq!(s.limits.max_firings_per_hour, 3);
    assert_eq!(s.lifecycle.high_intent_tag, "hot");
    assert_eq!(s.stores[0].name, "Centro");
    assert_eq!(s.timers[0].after, std::time::Duration::from_secs(86_400));
    let e = err("[[timers]]\nid = \"t\"\nafter = \"1y\"\nactions = [{ tag = \"x\" }]\n");
    assert!(e.contains("line 3"), "{e}");
    let e = err("language = \"xx\"\n");
    assert!(e.contains("line 1"), "{e}");
}
