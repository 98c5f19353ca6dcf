//! "Talk to a human" detection. Built-in phrase lists per language (English,
//! Spanish, Portuguese, Chinese, Japanese, Korean, Indonesian, Arabic, Hindi),
//! extendable from the rules file; matched whole-word in spaced scripts and
//! inside the text in CJK, accents folded so "alguem" finds "alguém".

use super::matcher::{Entry, Hit, KeywordSet};
use super::rules::MatchMode;

/// Built-in phrases by language tag.
pub const BUILTIN: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "talk to a human",
            "talk to a person",
            "talk to an agent",
            "talk to someone",
            "talk to a real person",
            "talk with a human",
            "talk with a person",
            "speak to a human",
            "speak to a person",
            "speak to an agent",
            "speak to someone",
            "speak with a human",
            "speak with a person",
            "speak with an agent",
            "real person",
            "human agent",
            "live agent",
            "customer service representative",
        ],
    ),
    (
        "es",
        &[
            "hablar con una persona",
            "hablar con un humano",
            "hablar con un agente",
            "hablar con alguien",
            "hablar con un asesor",
            "hablar con un operador",
            "persona real",
            "agente humano",
            "atención humana",
        ],
    ),
    (
        "pt",
        &[
            "falar com uma pessoa",
            "falar com um humano",
            "falar com um atendente",
            "falar com alguém",
            "falar com um agente",
            "falar com atendente",
            "atendente humano",
            "pessoa real",
            "atendimento humano",
        ],
    ),
    (
        "zh",
        &[
            "人工客服",
            "转人工",
            "轉人工",
            "人工服务",
            "人工服務",
            "真人客服",
            "找真人",
            "联系客服",
            "聯繫客服",
        ],
    ),
    (
        "ja",
        &[
            "オペレーター",
            "担当者と話",
            "人と話したい",
            "有人対応",
            "スタッフと話",
            "人間と話",
        ],
    ),
    (
        "ko",
        &[
            "상담원",
            "상담사 연결",
            "사람과 대화",
            "사람이랑 얘기",
            "직원 연결",
        ],
    ),
    (
        "id",
        &[
            "bicara dengan manusia",
            "bicara dengan orang",
            "bicara dengan agen",
            "bicara dengan cs",
            "berbicara dengan manusia",
            "hubungi cs",
            "agen manusia",
            "ngobrol dengan orang",
        ],
    ),
    (
        "ar",
        &[
            "التحدث مع شخص",
            "التحدث مع موظف",
            "التحدث مع إنسان",
            "أتحدث مع موظف",
            "خدمة العملاء",
            "موظف خدمة",
        ],
    ),
    (
        "hi",
        &[
            "इंसान से बात",
            "किसी व्यक्ति से बात",
            "एजेंट से बात",
            "ग्राहक सेवा",
            "असली इंसान",
            "insaan se baat",
            "agent se baat",
        ],
    ),
];

/// A compiled phrase list.
#[derive(Debug)]
pub struct HandoffDetector {
    set: KeywordSet,
}

impl HandoffDetector {
    /// The built-in phrases plus `extra`; `builtin = false` keeps only `extra`.
    pub fn new(builtin: bool, extra: &[String]) -> Result<Self, String> {
        let mut phrases: Vec<String> = Vec::new();
        if builtin {
            phrases.extend(
                BUILTIN
                    .iter()
                    .flat_map(|(_, p)| p.iter().map(|s| s.to_string())),
            );
        }
        phrases.extend(extra.iter().cloned());
        let set = KeywordSet::build(phrases.into_iter().map(|p| Entry {
            keyword: p,
            target: 0,
            mode: MatchMode::Word,
            fold_accents: true,
        }))?;
        Ok(HandoffDetector { set })
    }

    /// The phrase found, if any.
    pub fn detect(&self, text: &str) -> Option<String> {
        self.set
            .find(text)
            .into_iter()
            .next()
            .map(|h: Hit| h.keyword)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_is_detected() {
        let d = HandoffDetector::new(true, &[]).unwrap();
        for text in [
            "I want to talk to a person",
            "Can I SPEAK TO AN AGENT please?",
            "Quiero hablar con una persona",
            "quero falar com alguem",
            "我要转人工",
            "請幫我轉人工",
            "オペレーターをお願いします",
            "상담원 연결해 주세요",
            "saya mau bicara dengan manusia",
            "أريد التحدث مع موظف",
            "मुझे किसी व्यक्ति से बात करनी है",
        ] {
            assert!(d.detect(text).is_some(), "{text}");
        }
        for text in ["personal shopper", "the agents list", "price?", "人工智能"] {
            assert!(d.detect(text).is_none(), "{text}");
        }
    }

    #[test]
    fn phrases_are_extendable() {
        let d = HandoffDetector::new(true, &["atendente por favor".into()]).unwrap();
        assert!(d.detect("Atendente, por favor").is_none());
        assert!(d.detect("atendente por favor!").is_some());
        let only = HandoffDetector::new(false, &["mensch".into()]).unwrap();
        assert!(only.detect("talk to a human").is_none());
        assert!(only.detect("einen Mensch bitte").is_some());
    }
}
