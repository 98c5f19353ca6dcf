//! A synthetic contact list with known duplicates, for tests and benchmarks:
//! Latin names with accents, Japanese names in kanji and kana, Chinese names,
//! several phone numbers per person across regions, email and spelling
//! variants. Deterministic for a seed.

use std::io::Write;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const LATIN_GIVEN: &[&str] = &[
    "José",
    "María",
    "João",
    "Ana",
    "Luis",
    "Sofía",
    "Mateo",
    "Lucía",
    "Gabriel",
    "Valentina",
    "Martín",
    "Camila",
    "Thiago",
    "Isabela",
    "Hugo",
    "Inés",
    "Andrés",
    "Beatriz",
    "Raúl",
    "Mónica",
    "François",
    "Zoë",
    "Chloé",
    "Noël",
    "Jürgen",
    "Björn",
    "Sören",
    "Amélie",
    "Renée",
    "Héctor",
    "Ramón",
    "Agustín",
    "Julián",
    "Joaquín",
    "Elena",
    "Carmen",
    "Pedro",
    "Paula",
    "Diego",
    "Laura",
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Susan",
    "Priya",
    "Rahul",
    "Ananya",
    "Arjun",
    "Kavya",
    "Rohan",
    "Aisha",
    "Omar",
    "Fatima",
    "Yusuf",
    "Katherine",
    "Catherine",
    "Jon",
    "Sean",
    "Shaun",
    "Stephen",
    "Steven",
    "Isabel",
    "Nicolás",
    "Emilia",
];
const LATIN_SYLLABLES: &[&str] = &[
    "san", "tos", "sil", "va", "gon", "za", "lez", "fer", "nan", "des", "ro", "dri", "gues", "mar",
    "tin", "ez", "per", "ei", "ra", "al", "mei", "da", "cos", "ta", "lo", "pes", "car", "val",
    "ho", "mo", "ren", "dez", "bar", "bo", "sa", "li", "ma", "ri", "ve", "no", "kha", "sha", "pa",
    "tel", "ku", "mar", "ber", "ger", "mul", "ler", "sch", "mid", "wa", "ton",
];
const LATIN_ACCENTED_SURNAMES: &[&str] = &[
    "Gonçalves",
    "Muñoz",
    "Peña",
    "Ibáñez",
    "Müller",
    "Schröder",
    "Lefèvre",
    "Núñez",
    "Díaz",
    "Gómez",
    "Pérez",
    "Sánchez",
    "Hernández",
    "Jiménez",
    "Álvarez",
    "Castaño",
    "Araújo",
    "Guimarães",
    "Brandão",
    "Falcão",
];
/// (kanji, katakana reading)
const JP_SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤田", "フジタ"),
];
const JP_GIVEN: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("翔", "ショウ"),
    ("陽菜", "ヒナ"),
    ("蓮", "レン"),
    ("結衣", "ユイ"),
    ("大翔", "ヒロト"),
    ("葵", "アオイ"),
    ("悠真", "ユウマ"),
    ("さくら", "サクラ"),
    ("健", "ケン"),
    ("美咲", "ミサキ"),
    ("直樹", "ナオキ"),
    ("愛", "アイ"),
    ("誠", "マコト"),
    ("由美", "ユミ"),
    ("拓海", "タクミ"),
    ("七海", "ナナミ"),
    ("颯", "ハヤテ"),
    ("凛", "リン"),
    ("湊", "ミナト"),
    ("芽依", "メイ"),
];
const CN_SURNAMES: &[&str] = &[
    "陈", "李", "张", "王", "刘", "黄", "林", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "高", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
];
const CN_GIVEN_CHARS: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "文", "玉", "兰", "志", "德", "建",
];
const CITIES: &[(&str, &[&str])] = &[
    (
        "BR",
        &[
            "São Paulo",
            "Rio de Janeiro",
            "Belo Horizonte",
            "Curitiba",
            "Porto Alegre",
            "Recife",
            "Salvador",
            "Brasília",
        ],
    ),
    (
        "MX",
        &[
            "Ciudad de México",
            "Guadalajara",
            "Monterrey",
            "Puebla",
            "Tijuana",
            "León",
            "Mérida",
        ],
    ),
    (
        "US",
        &[
            "New York",
            "San Francisco",
            "Chicago",
            "Miami",
            "Austin",
            "Seattle",
            "Boston",
        ],
    ),
    (
        "GB",
        &[
            "London",
            "Manchester",
            "Birmingham",
            "Leeds",
            "Glasgow",
            "Bristol",
        ],
    ),
    (
        "ES",
        &[
            "Madrid",
            "Barcelona",
            "Valencia",
            "Sevilla",
            "Málaga",
            "Bilbao",
        ],
    ),
    (
        "IN",
        &[
            "Mumbai",
            "Delhi",
            "Bengaluru",
            "Chennai",
            "Pune",
            "Hyderabad",
            "Kolkata",
        ],
    ),
    (
        "JP",
        &[
            "東京",
            "大阪",
            "横浜",
            "名古屋",
            "札幌",
            "福岡",
            "京都",
            "神戸",
        ],
    ),
    (
        "HK",
        &["Hong Kong", "Kowloon", "Sha Tin", "Tsuen Wan", "Tuen Mun"],
    ),
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "example.com",
    "mail.example.org",
];
const SKUS: &[&str] = &[
    "SKU-100", "SKU-200", "SKU-300", "SKU-400", "SKU-500", "SKU-600",
];

/// A generated person.
struct Person {
    given: String,
    surname: String,
    /// Katakana readings when the name is Japanese (a duplicate may use them).
    kana: Option<(String, String)>,
    region: &'static str,
    city: &'static str,
    email: Option<String>,
    dob: Option<(i32, u32, u32)>,
    sku: Option<(&'static str, u32)>,
}

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn ascii_fold(s: &str) -> String {
    super::normalize::fold(s).replace(' ', "")
}

fn person(rng: &mut StdRng, id: usize) -> Person {
    let roll = rng.random_range(0..100);
    let (given, surname, kana, region) = if roll < 62 {
        let given = pick(rng, LATIN_GIVEN).to_string();
        let surname = if rng.random_bool(0.25) {
            pick(rng, LATIN_ACCENTED_SURNAMES).to_string()
        } else {
            let n = rng.random_range(2..4);
            let s: String = (0..n).map(|_| *pick(rng, LATIN_SYLLABLES)).collect();
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        };
        let region = *pick(rng, &["BR", "BR", "MX", "US", "GB", "ES", "IN"]);
        (given, surname, None, region)
    } else if roll < 85 {
        let (sk, skana) = *pick(rng, JP_SURNAMES);
        let (gk, gkana) = *pick(rng, JP_GIVEN);
        (
            gk.to_string(),
            sk.to_string(),
            Some((gkana.to_string(), skana.to_string())),
            "JP",
        )
    } else {
        let s = pick(rng, CN_SURNAMES).to_string();
        let g: String = (0..2).map(|_| *pick(rng, CN_GIVEN_CHARS)).collect();
        (g, s, None, "HK")
    };
    let cities = CITIES
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, c)| *c)
        .unwrap_or(&["Unknown"]);
    let city = *pick(rng, cities);
    let email = rng.random_bool(0.7).then(|| {
        let local = if kana.is_some() || region == "HK" {
            format!("user{id}")
        } else {
            format!(
                "{}.{}{}",
                ascii_fold(&given),
                ascii_fold(&surname),
                id % 1000
            )
        };
        format!("{local}@{}", pick(rng, DOMAINS))
    });
    let dob = rng.random_bool(0.6).then(|| {
        (
            rng.random_range(1950..2006),
            rng.random_range(1..13),
            rng.random_range(1..29),
        )
    });
    let sku = rng
        .random_bool(0.5)
        .then(|| (*pick(rng, SKUS), rng.random_range(0..300)));
    Person {
        given,
        surname,
        kana,
        region,
        city,
        email,
        dob,
        sku,
    }
}

fn digits(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A valid mobile number of the region, in E.164: drawn from the region's
/// mobile ranges until the metadata accepts one.
fn phone(rng: &mut StdRng, region: &str) -> String {
    let mut e = draw_phone(rng, region);
    for _ in 0..50 {
        if crate::phone::parse(&e, None).is_ok_and(|i| i.valid) {
            break;
        }
        e = draw_phone(rng, region);
    }
    e
}

fn draw_phone(rng: &mut StdRng, region: &str) -> String {
    let area = |rng: &mut StdRng, xs: &[&str]| pick(rng, xs).to_string();
    let lead = |rng: &mut StdRng, lo: u8, hi: u8| rng.random_range(lo..=hi);
    match region {
        "BR" => {
            let a = area(rng, &["11", "21", "31", "41", "51", "61", "71", "81"]);
            let l = lead(rng, 8, 9);
            format!("+55{a}9{l}{}", digits(rng, 7))
        }
        "MX" => {
            let a = area(rng, &["55", "33", "81"]);
            format!("+52{a}{}", digits(rng, 8))
        }
        "US" => {
            let a = area(rng, &["212", "415", "312", "305", "512", "206", "617"]);
            let l = lead(rng, 2, 8);
            format!("+1{a}{l}{}", digits(rng, 6))
        }
        "GB" => {
            // 76 is pagers; the other 7x ranges are mobiles.
            let l = area(rng, &["4", "5", "7", "8", "9"]);
            format!("+447{l}{}", digits(rng, 8))
        }
        "ES" => format!("+346{}", digits(rng, 8)),
        "IN" => {
            let l = lead(rng, 7, 9);
            format!("+91{l}{}", digits(rng, 9))
        }
        "JP" => {
            let l = lead(rng, 7, 9);
            let m = lead(rng, 1, 9);
            format!("+81{l}0{m}{}", digits(rng, 7))
        }
        _ => {
            let a = area(
                rng,
                &[
                    "51", "53", "55", "61", "62", "63", "90", "92", "93", "94", "97",
                ],
            );
            format!("+852{a}{}", digits(rng, 6))
        }
    }
}

/// Write a phone as people type it: E.164, or spaced international.
fn typed(rng: &mut StdRng, e164: &str) -> String {
    if rng.random_bool(0.5) {
        e164.to_string()
    } else {
        let digits = &e164[1..];
        let cc_len = if digits.starts_with('1') {
            1
        } else if digits.starts_with("852") {
            3
        } else {
            2
        };
        let (cc, rest) = digits.split_at(cc_len);
        let mid = rest.len() / 2;
        format!("+{cc} {} {}", &rest[..mid], &rest[mid..])
    }
}

fn typo(rng: &mut StdRng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 3 {
        return s.to_string();
    }
    let i = rng.random_range(1..c.len() - 1);
    match rng.random_range(0..3) {
        0 => {
            c.swap(i, i + 1);
        }
        1 => {
            c.remove(i);
        }
        _ => {
            let base = if c[i].is_ascii_alphabetic() { b'a' } else { 0 };
            if base != 0 {
                c[i] = char::from(b'a' + rng.random_range(0..26u8));
            } else {
                c.remove(i);
            }
        }
    }
    c.into_iter().collect()
}

fn strip_accents(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

/// Write `n` rows (header first) and return the true duplicate pairs.
/// About one person in six appears two or three times.
pub fn write_csv<W: Write>(n: usize, seed: u64, out: W) -> std::io::Result<Vec<(String, String)>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "first_name",
        "last_name",
        "phone",
        "country",
        "email",
        "city",
        "date_of_birth",
        "sku",
        "purchased_at",
    ])?;
    let mut truth = Vec::new();
    let mut row = 0usize;
    let mut pid = 0usize;
    while row < n {
        let p = person(&mut rng, pid);
        pid += 1;
        let copies = match rng.random_range(0..100) {
            0..=83 => 1,
            84..=95 => 2,
            _ => 3,
        }
        .min(n - row);
        let main_phone = phone(&mut rng, p.region);
        let mut ids = Vec::new();
        for k in 0..copies {
            let id = format!("c{row:07}");
            row += 1;
            let (mut given, mut surname) = (p.given.clone(), p.surname.clone());
            let mut phone_s = typed(&mut rng, &main_phone);
            let mut email = p.email.clone();
            let mut city = p.city.to_string();
            let mut dob = p.dob;
            let mut sku = p.sku;
            if k > 0 {
                // Another number most of the time: the person writes from a second phone.
                if rng.random_bool(0.75) {
                    let other = phone(&mut rng, p.region);
                    phone_s = typed(&mut rng, &other);
                }
                match rng.random_range(0..10) {
                    0..=2 => surname = typo(&mut rng, &surname),
                    3 => given = typo(&mut rng, &given),
                    4 => {
                        given = strip_accents(&given);
                        surname = strip_accents(&surname);
                    }
                    5 => {
                        if let Some((gk, sk)) = &p.kana {
                            given = gk.clone();
                            surname = sk.clone();
                        } else {
                            std::mem::swap(&mut given, &mut surname);
                        }
                    }
                    6 => given = given.to_uppercase(),
                    _ => {}
                }
                if let Some(e) = &email {
                    email = match rng.random_range(0..10) {
                        0..=4 => Some(e.clone()),
                        5..=7 => None,
                        // The same Gmail-style mailbox without the dot.
                        _ => Some(match e.split_once('@') {
                            Some((l, d)) => format!("{}@{d}", l.replacen('.', "", 1)),
                            None => e.clone(),
                        }),
                    };
                }
                if rng.random_bool(0.15) {
                    city = String::new();
                }
                if rng.random_bool(0.3) {
                    dob = None;
                }
                if let Some((s, d)) = sku {
                    sku = rng
                        .random_bool(0.6)
                        .then(|| (s, d + rng.random_range(0..30)));
                }
                // A duplicate nobody could tell from a namesake is noise, not a
                // test: keep at least one strong link (number, mailbox or birth date).
                let same_phone = phone_s.replace(' ', "") == main_phone;
                if !same_phone && email.is_none() && dob.is_none() {
                    if p.email.is_some() {
                        email = p.email.clone();
                    } else if p.dob.is_some() {
                        dob = p.dob;
                    } else {
                        phone_s = typed(&mut rng, &main_phone);
                    }
                }
            }
            let dob_s = dob
                .map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
                .unwrap_or_default();
            let (sku_s, at) = match sku {
                Some((s, d)) => {
                    let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                        .and_then(|x| x.checked_add_days(chrono::Days::new(d as u64)))
                        .map(|x| x.to_string())
                        .unwrap_or_default();
                    (s.to_string(), date)
                }
                None => (String::new(), String::new()),
            };
            w.write_record([
                id.as_str(),
                &given,
                &surname,
                &phone_s,
                p.region,
                email.as_deref().unwrap_or(""),
                &city,
                &dob_s,
                &sku_s,
                &at,
            ])?;
            ids.push(id);
        }
        for i in 0..ids.len() {
            for j in i + 1..ids.len() {
                truth.push((ids[i].clone(), ids[j].clone()));
            }
        }
    }
    w.flush()?;
    Ok(truth)
}

/// The `--map` arguments for the generated columns.
pub const MAPS: [&str; 9] = [
    "first_name=first_name",
    "last_name=last_name",
    "phone=phone",
    "country=country",
    "email=email",
    "city=city",
    "date_of_birth=date_of_birth",
    "sku=attr:sku",
    "purchased_at=attr:purchased_at",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::{ImportSpec, read_csv_all};

    #[test]
    fn generated_rows_import_cleanly_and_duplicates_are_found() {
        let mut buf = Vec::new();
        let truth = write_csv(3_000, 7, &mut buf).unwrap();
        assert!(truth.len() > 300, "{}", truth.len());
        let spec = ImportSpec {
            id_column: Some("id".into()),
            ..Default::default()
        }
        .with_maps(MAPS)
        .unwrap();
        let (rows, report) = read_csv_all(&buf[..], &spec).unwrap();
        assert!(report.bad_rows.is_empty(), "{:?}", &report.bad_rows[..1]);
        assert_eq!(rows.len(), 3_000);
        let contacts: Vec<_> = rows.into_iter().map(|r| r.contact).collect();
        let res = super::super::dedupe(&contacts, &Default::default());
        let q = super::super::evaluate(
            res.pairs.iter().map(|p| (p.a.as_str(), p.b.as_str())),
            truth.iter().map(|(a, b)| (a.as_str(), b.as_str())),
        );
        assert!(q.f1 > 0.9, "{q:?}");
    }
}
