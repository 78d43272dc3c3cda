"""Alignment rules (issue 3, point 3): exact offsets into the original text."""

from __future__ import annotations

from toolkit.terminology import Glossary, align

G = Glossary.from_records([
    {"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "type": "person"},
    {"canonical": "Jincheng", "type": "place"},
    {"canonical": "Jincheng Iron and Steel Holding Group", "type": "org"},
    {"canonical": "Lu'an Chemical Group", "variants": "Luan Chemical Group", "type": "org"},
    {"canonical": "Lu", "type": "other"},
    {"canonical": "Development Zone", "type": "place"},
    {"canonical": "Army", "type": "org"},
    {"canonical": "WHO", "case_sensitive": "yes", "type": "org"},
    {"canonical": "C++ (v2.0)", "variants": "a.b*c", "type": "other"},
    {"canonical": "Zürich", "type": "place"},
])


def spans(text: str, glossary: Glossary = G, **kw) -> list[tuple[int, int, str, str, str]]:
    return [(m.start, m.end, m.text, m.entry, m.kind) for m in align(text, glossary=glossary, calques=False, **kw)]


def test_basic_offsets_and_kinds() -> None:
    text = "Jin Xiangjun met the Jinxiang Army in Jincheng."
    assert spans(text) == [
        (0, 12, "Jin Xiangjun", "Jin Xiangjun", "canonical"),
        (21, 34, "Jinxiang Army", "Jin Xiangjun", "variant"),
        (38, 46, "Jincheng", "Jincheng", "canonical"),  # a term before a full stop counts
    ]
    m = align(text, glossary=G)[1]
    assert m.canonical == "Jin Xiangjun" and m.score == 1.0 and m.to_dict()["kind"] == "variant"


def test_case_insensitive_unless_entry_says_so() -> None:
    assert spans("JINXIANG ARMY and jincheng") == [
        (0, 13, "JINXIANG ARMY", "Jin Xiangjun", "variant"), (18, 26, "jincheng", "Jincheng", "canonical")]
    assert spans("the WHO said; who knows; Who?") == [(4, 7, "WHO", "WHO", "canonical")]


def test_unicode_word_boundaries_not_ascii() -> None:
    # ASCII \b would split "Jinchengé"; Unicode letters continue the word, so no match there
    assert spans("Jinchengé Jincheng_x éJincheng") == []
    # Han characters have no spaces: a term next to them still matches
    assert spans("在Jincheng的") == [(1, 9, "Jincheng", "Jincheng", "canonical")]
    # hyphen is a boundary (UAX #29): Jincheng-based
    assert spans("Jincheng-based firms") == [(0, 8, "Jincheng", "Jincheng", "canonical")]


def test_apostrophe_inside_a_word_is_not_a_boundary() -> None:
    # "Lu" must not match inside "Lu'an" / "Lu’an"; "O'Jincheng" is one word
    assert spans("Lu’an Chemical Group and O'Jincheng") == [(0, 20, "Lu’an Chemical Group", "Lu'an Chemical Group", "canonical")]
    assert spans("Lu said") == [(0, 2, "Lu", "Lu", "canonical")]


def test_line_breaks_and_whitespace_runs_inside_terms_original_offsets() -> None:
    text = "See  the Jinxiang\n   Army\tand Jin\u00a0Xiangjun."
    assert spans(text) == [
        (9, 25, "Jinxiang\n   Army", "Jin Xiangjun", "variant"),
        (30, 42, "Jin\u00a0Xiangjun", "Jin Xiangjun", "canonical"),
    ]


def test_nfkc_and_decomposed_accents_keep_original_offsets() -> None:
    # U+FB01 (the fi ligature) expands to two letters; "Zu\u0308rich" has a combining diaeresis
    text = "\ufb01 Zu\u0308rich and ＪＩＮＣＨＥＮＧ"
    got = spans(text)
    assert got == [(2, 9, "Zu\u0308rich", "Zürich", "canonical"), (14, 22, "ＪＩＮＣＨＥＮＧ", "Jincheng", "canonical")]


def test_curly_and_straight_apostrophes_and_dashes_fold() -> None:
    g = Glossary.from_records([{"canonical": "Anti-Japanese University"}, {"canonical": "Lu'an"}])
    text = "Anti\u2013Japanese University in Lu\u2019an, anti\u2011japanese university"
    assert spans(text, g) == [
        (0, 24, "Anti\u2013Japanese University", "Anti-Japanese University", "canonical"),
        (28, 33, "Lu\u2019an", "Lu'an", "canonical"),
        (35, 59, "anti\u2011japanese university", "Anti-Japanese University", "canonical"),
    ]


def test_regex_metacharacters_are_literal() -> None:
    assert spans("use C++ (v2.0) not abbc or a.b*c.") == [
        (4, 14, "C++ (v2.0)", "C++ (v2.0)", "canonical"), (27, 32, "a.b*c", "C++ (v2.0)", "variant")]


def test_longest_match_wins_for_nested_terms() -> None:
    text = "Jincheng Iron and Steel Holding Group's plant in Jincheng"
    assert spans(text) == [
        (0, 37, "Jincheng Iron and Steel Holding Group", "Jincheng Iron and Steel Holding Group", "canonical"),
        (49, 57, "Jincheng", "Jincheng", "canonical"),
    ]
    # "Jinxiang Army" (variant) over the nested one-word term "Army"
    assert spans("the Jinxiang Army; the Army") == [
        (4, 17, "Jinxiang Army", "Jin Xiangjun", "variant"), (23, 27, "Army", "Army", "canonical")]


def test_overlapping_terms_longest_then_leftmost() -> None:
    g = Glossary.from_records([{"canonical": "Holding Equipment Manufacturing Group"}, {"canonical": "Jinneng Holding"}])
    assert spans("Jinneng Holding Equipment Manufacturing Group", g) == [
        (8, 45, "Holding Equipment Manufacturing Group", "Holding Equipment Manufacturing Group", "canonical")]


def test_possessives_are_reported_outside_the_span() -> None:
    ms = align("the Jinxiang Army’s visit, Jincheng's mayor, the Development Zones' plans", glossary=G, calques=False)
    assert [(m.text, m.end, m.possessive, m.plural) for m in ms] == [
        ("Jinxiang Army", 17, "’s", False),
        ("Jincheng", 35, "'s", False),
        ("Development Zones", 66, "'", True),
    ]


def test_regular_plurals_match_non_person_terms() -> None:
    g = Glossary.from_records([{"canonical": "Development Zone"}, {"canonical": "Coal Branch"},
                               {"canonical": "Lubao Company"}, {"canonical": "Jin Xiangjun", "type": "person"}])
    ms = align("Development Zones, coal branches, Lubao Companies, Jin Xiangjuns", glossary=g, calques=False)
    assert [(m.text, m.plural, m.term) for m in ms] == [
        ("Development Zones", True, "Development Zone"),
        ("coal branches", True, "Coal Branch"),
        ("Lubao Companies", True, "Lubao Company"),
    ]


def test_non_english_latin_text() -> None:
    g = Glossary.from_records([{"canonical": "tension", "alternatives": "tension artérielle"},
                               {"canonical": "immunodéprimés", "alternatives": "immunodéprimé"}])
    text = "d' hypertension artérielle ; maladie immunodéprimée ; Tension artérielle."
    # "tension" inside "hypertension" and "immunodéprimé" inside "immunodéprimée" are not terms
    start = text.index("Tension")  # 54
    assert spans(text, g) == [(start, start + 18, "Tension artérielle", "tension", "alternative")]


def test_empty_text_and_no_terms() -> None:
    assert spans("") == []
    assert align("Jincheng", glossary=Glossary.from_records([])) == []


def test_fuzzy_matching_threshold_and_short_terms() -> None:
    g = Glossary.from_records([{"canonical": "Jincheng", "variants": "Jinxiang Army"}, {"canonical": "Lubao"}, {"canonical": "Xi"}])
    ms = align("In Jinchen the Jinxiang Armi met Lubo and Xu.", glossary=g, fuzzy=True, calques=False)
    assert [(m.text, m.kind, m.term, m.score) for m in ms] == [
        ("Jinchen", "fuzzy", "Jincheng", 0.9333),  # 2*7/15 by hand
        ("Jinxiang Armi", "fuzzy", "Jinxiang Army", 0.9231),  # 2*12/26
        ("Lubo", "fuzzy", "Lubao", 0.8889),  # 2*4/9 >= 0.88; "Xu" is not compared: "Xi" has under 5 letters
    ]
    assert [m.kind for m in align("In Jinchen", glossary=g, fuzzy=True, fuzzy_threshold=0.95)] == []


