//! The few phrases automation renders itself, per language: relative times
//! ("3 days ago") and opening times ("9:00 tomorrow"). English, Spanish,
//! Portuguese, Japanese and Chinese; anything else falls back to English.

use chrono::{NaiveDate, NaiveTime, Timelike, Weekday};

/// A language automation can render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Spanish.
    Es,
    /// Portuguese.
    Pt,
    /// Japanese.
    Ja,
    /// Chinese.
    Zh,
}

impl Lang {
    /// From a language tag (`pt_BR`, `es-MX`, `zh-Hant`, `ja`); `None` when unsupported.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase();
        let primary = t.split(['-', '_']).next().unwrap_or("");
        Some(match primary {
            "en" => Lang::En,
            "es" => Lang::Es,
            "pt" => Lang::Pt,
            "ja" => Lang::Ja,
            "zh" => Lang::Zh,
            _ => return None,
        })
    }

    /// A guess from the country calling code of a WhatsApp id (digits).
    pub fn from_wa_id(wa_id: &str) -> Option<Lang> {
        let d = wa_id.trim_start_matches('+');
        // Longest prefixes first: 852/853/886 before 8x.
        const TABLE: &[(&str, Lang)] = &[
            ("852", Lang::Zh),
            ("853", Lang::Zh),
            ("886", Lang::Zh),
            ("351", Lang::Pt),
            ("244", Lang::Pt),
            ("258", Lang::Pt),
            ("502", Lang::Es),
            ("503", Lang::Es),
            ("504", Lang::Es),
            ("505", Lang::Es),
            ("506", Lang::Es),
            ("507", Lang::Es),
            ("591", Lang::Es),
            ("593", Lang::Es),
            ("595", Lang::Es),
            ("598", Lang::Es),
            ("34", Lang::Es),
            ("51", Lang::Es),
            ("52", Lang::Es),
            ("53", Lang::Es),
            ("54", Lang::Es),
            ("56", Lang::Es),
            ("57", Lang::Es),
            ("58", Lang::Es),
            ("55", Lang::Pt),
            ("81", Lang::Ja),
            ("86", Lang::Zh),
            ("1", Lang::En),
            ("44", Lang::En),
            ("61", Lang::En),
        ];
        TABLE
            .iter()
            .find(|(p, _)| d.starts_with(p))
            .map(|(_, l)| *l)
    }
}

/// "3 days ago" / "in 3 days": `seconds` is `now - then` (negative for the future).
pub fn relative(seconds: i64, lang: Lang) -> String {
    let future = seconds < 0;
    let s = seconds.unsigned_abs();
    let (n, unit) = if s < 60 {
        (0, Unit::Now)
    } else if s < 3600 {
        (s / 60, Unit::Minute)
    } else if s < 86_400 {
        (s / 3600, Unit::Hour)
    } else if s < 30 * 86_400 {
        (s / 86_400, Unit::Day)
    } else if s < 365 * 86_400 {
        (s / (30 * 86_400), Unit::Month)
    } else {
        (s / (365 * 86_400), Unit::Year)
    };
    if unit == Unit::Now {
        return match lang {
            Lang::En => "just now",
            Lang::Es => "ahora mismo",
            Lang::Pt => "agora mesmo",
            Lang::Ja => "たった今",
            Lang::Zh => "刚刚",
        }
        .to_string();
    }
    let one = n == 1;
    match lang {
        Lang::En => {
            let w = match unit {
                Unit::Minute => "minute",
                Unit::Hour => "hour",
                Unit::Day => "day",
                Unit::Month => "month",
                _ => "year",
            };
            let pl = if one { "" } else { "s" };
            if future {
                format!("in {n} {w}{pl}")
            } else {
                format!("{n} {w}{pl} ago")
            }
        }
        Lang::Es => {
            let w = match (unit, one) {
                (Unit::Minute, true) => "minuto",
                (Unit::Minute, false) => "minutos",
                (Unit::Hour, true) => "hora",
                (Unit::Hour, false) => "horas",
                (Unit::Day, true) => "día",
                (Unit::Day, false) => "días",
                (Unit::Month, true) => "mes",
                (Unit::Month, false) => "meses",
                (_, true) => "año",
                (_, false) => "años",
            };
            if future {
                format!("dentro de {n} {w}")
            } else {
                format!("hace {n} {w}")
            }
        }
        Lang::Pt => {
            let w = match (unit, one) {
                (Unit::Minute, true) => "minuto",
                (Unit::Minute, false) => "minutos",
                (Unit::Hour, true) => "hora",
                (Unit::Hour, false) => "horas",
                (Unit::Day, true) => "dia",
                (Unit::Day, false) => "dias",
                (Unit::Month, true) => "mês",
                (Unit::Month, false) => "meses",
                (_, true) => "ano",
                (_, false) => "anos",
            };
            if future {
                format!("em {n} {w}")
            } else {
                format!("há {n} {w}")
            }
        }
        Lang::Ja => {
            let w = match unit {
                Unit::Minute => "分",
                Unit::Hour => "時間",
                Unit::Day => "日",
                Unit::Month => "か月",
                _ => "年",
            };
            format!("{n}{w}{}", if future { "後" } else { "前" })
        }
        Lang::Zh => {
            let w = match unit {
                Unit::Minute => "分钟",
                Unit::Hour => "小时",
                Unit::Day => "天",
                Unit::Month => "个月",
                _ => "年",
            };
            format!("{n}{w}{}", if future { "后" } else { "前" })
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Now,
    Minute,
    Hour,
    Day,
    Month,
    Year,
}

/// Render an opening time relative to `today` (both local dates):
/// "9:00 tomorrow", "mañana a las 9:00", "明日 9:00", …
pub fn opening(today: NaiveDate, day: NaiveDate, time: NaiveTime, lang: Lang) -> String {
    let t = format!("{}:{:02}", time.hour(), time.minute());
    let delta = (day - today).num_days();
    let wd = day.weekday_name(lang);
    let date = day.format("%Y-%m-%d").to_string();
    match (lang, delta) {
        (Lang::En, 0) => format!("{t} today"),
        (Lang::En, 1) => format!("{t} tomorrow"),
        (Lang::En, 2..=6) => format!("{t} on {wd}"),
        (Lang::En, _) => format!("{t} on {date}"),
        (Lang::Es, 0) => format!("hoy a las {t}"),
        (Lang::Es, 1) => format!("mañana a las {t}"),
        (Lang::Es, 2..=6) => format!("el {wd} a las {t}"),
        (Lang::Es, _) => format!("el {date} a las {t}"),
        (Lang::Pt, 0) => format!("hoje às {t}"),
        (Lang::Pt, 1) => format!("amanhã às {t}"),
        (Lang::Pt, 2..=6) => format!("{wd} às {t}"),
        (Lang::Pt, _) => format!("em {date} às {t}"),
        (Lang::Ja, 0) => format!("今日 {t}"),
        (Lang::Ja, 1) => format!("明日 {t}"),
        (Lang::Ja, 2..=6) => format!("{wd} {t}"),
        (Lang::Ja, _) => format!("{date} {t}"),
        (Lang::Zh, 0) => format!("今天 {t}"),
        (Lang::Zh, 1) => format!("明天 {t}"),
        (Lang::Zh, 2..=6) => format!("{wd} {t}"),
        (Lang::Zh, _) => format!("{date} {t}"),
    }
}

/// "now" when already open.
pub fn now_word(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "now",
        Lang::Es => "ahora",
        Lang::Pt => "agora",
        Lang::Ja => "今",
        Lang::Zh => "现在",
    }
}

trait WeekdayName {
    fn weekday_name(&self, lang: Lang) -> &'static str;
}

impl WeekdayName for NaiveDate {
    fn weekday_name(&self, lang: Lang) -> &'static str {
        use chrono::Datelike;
        let i = self.weekday().num_days_from_monday() as usize;
        const EN: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        const ES: [&str; 7] = [
            "lunes",
            "martes",
            "miércoles",
            "jueves",
            "viernes",
            "sábado",
            "domingo",
        ];
        const PT: [&str; 7] = [
            "segunda-feira",
            "terça-feira",
            "quarta-feira",
            "quinta-feira",
            "sexta-feira",
            "sábado",
            "domingo",
        ];
        const JA: [&str; 7] = [
            "月曜日",
            "火曜日",
            "水曜日",
            "木曜日",
            "金曜日",
            "土曜日",
            "日曜日",
        ];
        const ZH: [&str; 7] = [
            "星期一",
            "星期二",
            "星期三",
            "星期四",
            "星期五",
            "星期六",
            "星期日",
        ];
        match lang {
            Lang::En => EN[i],
            Lang::Es => ES[i],
            Lang::Pt => PT[i],
            Lang::Ja => JA[i],
            Lang::Zh => ZH[i],
        }
    }
}

/// Parse a weekday key of a rules file.
pub fn weekday(key: &str) -> Option<Weekday> {
    Some(match key {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_days_ago_in_every_language() {
        let s = 3 * 86_400 + 50;
        assert_eq!(relative(s, Lang::En), "3 days ago");
        assert_eq!(relative(s, Lang::Es), "hace 3 días");
        assert_eq!(relative(s, Lang::Pt), "há 3 dias");
        assert_eq!(relative(s, Lang::Ja), "3日前");
        assert_eq!(relative(s, Lang::Zh), "3天前");
        assert_eq!(relative(86_400, Lang::En), "1 day ago");
        assert_eq!(relative(7200, Lang::Es), "hace 2 horas");
        assert_eq!(relative(-2 * 86_400, Lang::En), "in 2 days");
        assert_eq!(relative(65 * 86_400, Lang::Pt), "há 2 meses");
        assert_eq!(relative(400 * 86_400, Lang::Zh), "1年前");
        assert_eq!(relative(5, Lang::Ja), "たった今");
    }

    #[test]
    fn languages_from_tags_and_numbers() {
        assert_eq!(Lang::from_tag("pt_BR"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag("zh-Hant"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("ko"), None);
        assert_eq!(Lang::from_wa_id("5511987654321"), Some(Lang::Pt));
        assert_eq!(Lang::from_wa_id("819012345678"), Some(Lang::Ja));
        assert_eq!(Lang::from_wa_id("886912345678"), Some(Lang::Zh));
        assert_eq!(Lang::from_wa_id("34612345678"), Some(Lang::Es));
        assert_eq!(Lang::from_wa_id("4915112345678"), None);
    }

    #[test]
    fn opening_phrases() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap(); // a Friday
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            opening(d, d.succ_opt().unwrap(), nine, Lang::En),
            "9:00 tomorrow"
        );
        assert_eq!(
            opening(d, d.succ_opt().unwrap(), nine, Lang::Es),
            "mañana a las 9:00"
        );
        assert_eq!(opening(d, d, nine, Lang::Pt), "hoje às 9:00");
        let mon = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(opening(d, mon, nine, Lang::En), "9:00 on Monday");
        assert_eq!(opening(d, mon, nine, Lang::Ja), "月曜日 9:00");
        assert_eq!(opening(d, mon, nine, Lang::Zh), "星期一 9:00");
        let far = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
        assert_eq!(opening(d, far, nine, Lang::En), "9:00 on 2026-03-20");
    }
}
