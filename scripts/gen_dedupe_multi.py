#!/usr/bin/env python3
"""Generate a multi-country contact list with known duplicates, written the
way customers and agents type contacts into a CRM.

Usage: python3 scripts/gen_dedupe_multi.py [--people N] [--seed S] OUTDIR
Writes OUTDIR/contacts.csv (id,name,phone,email,country,city) and
OUTDIR/true_pairs.csv (id_a,id_b: every pair of rows that are one person).
Standard library only; the same seed gives the same files.

What the list holds, by design (rates are per person or per row):
- Japanese, Chinese, Latin-American and European people; names in their
  script or romanised, with or without a space (or an ideographic space)
  between family and given name, "Family, Given" against "Given Family",
  accents dropped, capitals, full-width Latin letters, a typo now and then.
- ~18 % of people own two or three phone numbers and write from any of them.
- Phones typed in E.164, spaced international, national (with the trunk
  prefix), with 00 + country code, full-width digits, or as WhatsApp shows
  them (digits only, Mexico's 521, Brazil without the ninth digit,
  Argentina's 549).
- ~10 % invalid or quirky numbers: outside the country's ranges, a digit
  lost, 00 + country code where the international prefix is not 00, a
  national number with no country given.
- E-mails in any letter case, with stray spaces; some people use a second
  address, many records have none.
- Namesakes: names are drawn from small pools, so different people share
  names and cities (what a matcher must not merge).
"""

import argparse
import csv
import os
import random
import unicodedata

JP_FAMILY = [("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"),
             ("伊藤", "Ito"), ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"),
             ("小林", "Kobayashi"), ("加藤", "Kato"), ("吉田", "Yoshida"), ("山田", "Yamada"),
             ("佐々木", "Sasaki"), ("松本", "Matsumoto"), ("井上", "Inoue"), ("木村", "Kimura")]
JP_GIVEN = [("太郎", "Taro"), ("花子", "Hanako"), ("健太", "Kenta"), ("美咲", "Misaki"),
            ("翔太", "Shota"), ("陽菜", "Hina"), ("大輔", "Daisuke"), ("結衣", "Yui"),
            ("拓也", "Takuya"), ("さくら", "Sakura"), ("直樹", "Naoki"), ("愛", "Ai"),
            ("浩", "Hiroshi"), ("恵子", "Keiko"), ("誠", "Makoto"), ("由美", "Yumi"),
            ("一郎", "Ichiro"), ("裕子", "Yuko"), ("悠真", "Yuma"), ("真由美", "Mayumi")]
CN_FAMILY = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
             ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
             ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu")]
CN_GIVEN = [("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("秀英", "Xiuying"), ("敏", "Min"),
            ("静", "Jing"), ("丽", "Li"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"),
            ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"), ("杰", "Jie"), ("娟", "Juan"),
            ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("秀兰", "Xiulan"), ("霞", "Xia"),
            ("子涵", "Zihan"), ("浩然", "Haoran"), ("雨桐", "Yutong"), ("宇轩", "Yuxuan")]
LATAM_GIVEN = ["José", "María", "Juan", "Ana", "Luis", "Sofía", "Jesús", "Lucía", "Andrés",
               "Camila", "Martín", "Valentina", "Sebastián", "Daniela", "Nicolás", "Mariana",
               "Joaquín", "Isabel", "Raúl", "Verónica", "Héctor", "Mónica", "José Luis",
               "María José", "Juan Pablo", "Ana María", "João", "Conceição", "Thiago", "Gabriela"]
LATAM_FAMILY = ["García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez",
                "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Muñoz",
                "Rojas", "Álvarez", "Jiménez", "Castillo", "Gutiérrez", "Silva", "Santos",
                "Oliveira", "Souza", "Araújo", "Gonçalves", "Peña", "Núñez", "Ibáñez", "Ortiz"]
EU_GIVEN = ["François", "Amélie", "Jürgen", "Jörg", "Zoë", "Chloé", "Søren", "Björn",
            "Hélène", "Renée", "Léa", "Noël", "Günter", "Małgorzata", "Åsa", "Inès", "Lukas",
            "Emma", "Giulia", "Matteo", "Francesca", "Luca", "Oliver", "Charlotte", "Pablo",
            "Lucía", "Thomas", "Anna", "Marco", "Laura"]
EU_FAMILY = ["Müller", "Schröder", "Lefèvre", "Dubois", "Moreau", "Rossi", "Bianchi", "Ferrari",
             "Fernández", "Navarro", "Smith", "Jones", "Brown", "Wilson", "Weiß", "Schäfer",
             "Böhm", "Girard", "Lambert", "Fontaine", "Russo", "Romano", "Colombo", "O'Brien",
             "Kowalski", "Nowak", "Jensen", "Larsen", "Bauer", "Wagner"]

CITIES = {
    "JP": ["東京", "大阪", "横浜", "名古屋", "Tokyo", "Osaka"],
    "CN": ["北京", "上海", "广州", "深圳", "Beijing", "Shanghai"],
    "MX": ["Ciudad de México", "Guadalajara", "Monterrey", "Puebla"],
    "BR": ["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba"],
    "AR": ["Buenos Aires", "Córdoba", "Rosario", "Mendoza"],
    "CO": ["Bogotá", "Medellín", "Cali", "Barranquilla"],
    "ES": ["Madrid", "Barcelona", "Valencia", "Sevilla"],
    "FR": ["Paris", "Lyon", "Marseille", "Toulouse"],
    "DE": ["Berlin", "München", "Hamburg", "Köln"],
    "IT": ["Roma", "Milano", "Napoli", "Torino"],
    "GB": ["London", "Manchester", "Leeds", "Bristol"],
}
CC = {"JP": "81", "CN": "86", "MX": "52", "BR": "55", "AR": "54", "CO": "57", "ES": "34",
      "FR": "33", "DE": "49", "IT": "39", "GB": "44"}
# Countries whose trunk prefix is 0 (national numbers are written 0 + NSN).
TRUNK0 = {"JP", "BR", "AR", "FR", "DE", "GB"}
# International prefix other than 00.
INTL_NOT_00 = {"JP"}
DOMAINS = ["gmail.com", "yahoo.co.jp", "outlook.com", "hotmail.com", "qq.com", "163.com",
           "uol.com.br", "yahoo.com.mx", "web.de", "orange.fr", "libero.it", "icloud.com"]


def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def mobile_nsn(rng, country):
    """A mobile national significant number inside the country's ranges."""
    if country == "JP":
        return rng.choice(["70", "80", "90"]) + rng.choice("123456789") + digits(rng, 7)
    if country == "CN":
        return "1" + rng.choice(["35", "36", "37", "38", "39", "50", "58", "86", "88"]) + digits(rng, 8)
    if country == "MX":
        return rng.choice(["55", "33", "81"]) + rng.choice("123456789") + digits(rng, 7)
    if country == "BR":
        return rng.choice(["11", "21", "31", "41", "51", "61"]) + "9" + rng.choice("6789") + digits(rng, 7)
    if country == "AR":
        # International mobile form: 9 + area 11 + 8 digits.
        return "911" + rng.choice("2345") + digits(rng, 7)
    if country == "CO":
        return "3" + rng.choice(["00", "01", "10", "11", "12", "15", "20", "21"]) + rng.choice("23456789") + digits(rng, 6)
    if country == "ES":
        return "6" + rng.choice("0123456789") + digits(rng, 7)
    if country == "FR":
        return rng.choice("67") + rng.choice("123456789") + digits(rng, 7)
    if country == "DE":
        return "15" + rng.choice("12") + digits(rng, 8)
    if country == "IT":
        return "3" + rng.choice(["20", "28", "33", "35", "38", "40", "47", "49"]) + digits(rng, 7)
    return "7" + rng.choice("4589") + digits(rng, 8)  # GB


def group(s, sizes):
    out, i = [], 0
    for n in sizes:
        if i >= len(s):
            break
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return out


def national_digits(country, nsn):
    if country == "AR":
        # National mobile form: 0 + area + 15 + local number.
        return "0" + nsn[1:3] + "15" + nsn[3:]
    return ("0" + nsn) if country in TRUNK0 else nsn


def fullwidth(s):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)


def write_phone(rng, country, nsn):
    """One way of typing a valid number. Returns (text, form)."""
    cc = CC[country]
    form = rng.choices(
        ["e164", "intl", "national", "00", "fullwidth", "whatsapp"],
        [25, 25, 25, 8, 7, 10])[0]
    if form == "e164":
        return "+" + cc + nsn, form
    if form == "intl":
        return "+" + cc + " " + " ".join(group(nsn, [2, 4, 4])), form
    if form == "national":
        nat = national_digits(country, nsn)
        sep = rng.choice(["-", " ", ""])
        return sep.join(group(nat, [3, 4, 4])), form
    if form == "00":
        return "00" + cc + " " + " ".join(group(nsn, [3, 3, 4])), form
    if form == "fullwidth":
        inner = rng.choice(["+" + cc + " " + nsn, national_digits(country, nsn)])
        return fullwidth(inner), form
    # WhatsApp display: digits only, with the account quirks.
    if country == "MX":
        return "521" + nsn, form
    if country == "BR" and rng.random() < 0.5:
        return cc + nsn[:2] + nsn[3:], form  # account from before the ninth digit
    return cc + nsn, form


def quirky_phone(rng, country, nsn):
    """An invalid or quirky rendering of a real number, or a number that is wrong."""
    cc = CC[country]
    kind = rng.choice(["lost_digit", "out_of_range", "00_fullwidth", "mx_1", "br_no9", "ar_no9",
                       "no_country"])
    if kind == "lost_digit":
        i = rng.randrange(1, len(nsn))
        return "+" + cc + " " + nsn[:i] + nsn[i + 1:], kind
    if kind == "out_of_range":
        return "+" + cc + " " + "0" + nsn[1:], kind
    if kind == "00_fullwidth":
        return fullwidth("00" + cc + nsn), kind
    if kind == "mx_1" and country == "MX":
        return "+52 1 " + " ".join(group(nsn, [2, 4, 4])), kind
    if kind == "br_no9" and country == "BR":
        return "+55 " + nsn[:2] + " " + nsn[3:7] + "-" + nsn[7:], kind
    if kind == "ar_no9" and country == "AR":
        return "+54 " + nsn[1:3] + " " + nsn[3:7] + " " + nsn[7:], kind
    # A national number, and the row will carry no country.
    return " ".join(group(national_digits(country, nsn), [3, 4, 4])), "no_country"


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def typo(rng, s):
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    k = rng.randrange(3)
    if k == 0:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if k == 1:
        return s[:i] + s[i + 1:]
    return s[:i] + rng.choice("aeiounrst") + s[i + 1:]


def make_person(rng, pid):
    kind = rng.choices(["jp", "cn", "latam", "eu"], [25, 20, 30, 25])[0]
    if kind == "jp":
        (fk, fr), (gk, gr) = rng.choice(JP_FAMILY), rng.choice(JP_GIVEN)
        country = "JP"
        p = dict(cjk=(fk, gk), roman=(fr, gr))
    elif kind == "cn":
        (fk, fr), (gk, gr) = rng.choice(CN_FAMILY), rng.choice(CN_GIVEN)
        country = "CN"
        p = dict(cjk=(fk, gk), roman=(fr, gr))
    elif kind == "latam":
        given = rng.choice(LATAM_GIVEN)
        fam = rng.choice(LATAM_FAMILY)
        if rng.random() < 0.5:
            fam = fam + " " + rng.choice(LATAM_FAMILY)
        country = rng.choice(["MX", "MX", "BR", "BR", "AR", "CO"])
        p = dict(cjk=None, roman=(fam, given))
    else:
        given, fam = rng.choice(EU_GIVEN), rng.choice(EU_FAMILY)
        country = rng.choice(["ES", "FR", "DE", "IT", "GB"])
        p = dict(cjk=None, roman=(fam, given))
    p["kind"] = kind
    p["country"] = country
    n_numbers = 1
    if rng.random() < 0.18:
        n_numbers = rng.choice([2, 2, 3])
    p["numbers"] = [mobile_nsn(rng, country) for _ in range(n_numbers)]
    fam, given = p["roman"]
    local = rng.choice([
        f"{strip_accents(given).lower().replace(' ', '')}.{strip_accents(fam).split(' ')[0].lower()}",
        f"{strip_accents(given)[0].lower()}{strip_accents(fam).split(' ')[0].lower()}{rng.randrange(10, 99)}",
        f"{strip_accents(fam).split(' ')[0].lower()}{rng.randrange(100, 9999)}",
    ]).replace("'", "")
    emails = []
    if rng.random() < 0.75:
        emails.append(f"{local}@{rng.choice(DOMAINS)}")
        if rng.random() < 0.12:
            emails.append(f"{local}{rng.randrange(1, 99)}@{rng.choice(DOMAINS)}")
    p["emails"] = emails
    p["city"] = rng.choice(CITIES[country])
    p["pid"] = pid
    return p


def render_name(rng, p, first):
    """The person's name as one record writes it."""
    fam, given = p["roman"]
    if p["cjk"] is not None and (rng.random() < (0.7 if first else 0.6)):
        f, g = p["cjk"]
        sep = rng.choices([" ", "", "\u3000"], [45, 35, 20])[0]
        return f + sep + g
    form = rng.choices(["given_family", "family_given", "family_comma", "caps_family"],
                       [45, 20, 20, 15])[0]
    if p["kind"] in ("jp", "cn") and form == "given_family" and rng.random() < 0.3:
        form = "family_given"
    if form == "given_family":
        name = f"{given} {fam}"
    elif form == "family_given":
        name = f"{fam} {given}"
    elif form == "family_comma":
        name = f"{fam}, {given}"
    else:
        name = f"{fam.upper()} {given}"
    if not first:
        r = rng.random()
        if r < 0.25:
            name = strip_accents(name)
        elif r < 0.35:
            name = name.upper()
        elif r < 0.42:
            name = name.lower()
        elif r < 0.50:
            name = typo(rng, name)
        elif r < 0.55:
            name = fullwidth(name)
    return name


def render_email(rng, e):
    r = rng.random()
    if r < 0.25:
        e = e.upper()
    elif r < 0.45:
        e = e[0].upper() + e[1:]
    if rng.random() < 0.15:
        e = " " + e + " "
    return e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=22)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    rows, truth = [], []
    for pid in range(a.people):
        p = make_person(rng, pid)
        copies = rng.choices([1, 2, 3, 4], [66, 24, 8, 2])[0]
        ids = []
        for k in range(copies):
            rid = f"r{len(rows) + 1:05d}"
            nsn = rng.choice(p["numbers"]) if k > 0 else p["numbers"][0]
            country = p["country"]
            if rng.random() < 0.10:
                phone, form = quirky_phone(rng, country, nsn)
            else:
                phone, form = write_phone(rng, country, nsn)
            if form == "no_country" or (form != "national" and rng.random() < 0.05):
                country_col = ""
            else:
                country_col = country
            if rng.random() < 0.04:
                phone = ""
            email = ""
            if p["emails"]:
                r = rng.random()
                if k == 0 or r < 0.6:
                    email = render_email(rng, p["emails"][0])
                elif r < 0.75 and len(p["emails"]) > 1:
                    email = render_email(rng, p["emails"][1])
            city = p["city"] if (k == 0 or rng.random() < 0.8) else ""
            rows.append([rid, render_name(rng, p, k == 0), phone, email, country_col, city])
            ids.append(rid)
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                truth.append((ids[i], ids[j]))
    # Records of one person are scattered through the file, as in a real export.
    order = list(range(len(rows)))
    rng.shuffle(order)
    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, "contacts.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "phone", "email", "country", "city"])
        for i in order:
            w.writerow(rows[i])
    with open(os.path.join(a.outdir, "true_pairs.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id_a", "id_b"])
        for x, y in truth:
            w.writerow([x, y])


if __name__ == "__main__":
    main()
