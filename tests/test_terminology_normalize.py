"""Normalisation rules (issue 3, point 5) and the acceptance checks on the sample article."""

from __future__ import annotations

from pathlib import Path

from toolkit.terminology import Glossary, load_glossary, normalize

ROOT = Path(__file__).parent.parent
ARTICLE = (Path(__file__).parent / "data" / "terminology" / "seed_article.txt").read_text(encoding="utf-8")
G = Glossary.from_records([
    {"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "type": "person"},
    {"canonical": "Changzhi", "variants": "Zhangzhi|Chang Zhi", "alternatives": "Changzhi City", "type": "place"},
    {"canonical": "Development Zone", "variants": "Developing Zone", "type": "place"},
])


def test_variant_rewritten_with_article_dropped_before_a_person() -> None:
    assert normalize("Then the Jinxiang Army listened.", glossary=G).text == "Then Jin Xiangjun listened."
    assert normalize("The Jinxiang Army came. THE Jinxiang Army left.", glossary=G).text == "Jin Xiangjun came. Jin Xiangjun left."
    # not an article: "bathe" ends in "the"
    assert normalize("bathe Jinxiang Army", glossary=G).text == "bathe Jin Xiangjun"
    # places keep their article
    assert normalize("the Zhangzhi area", glossary=G).text == "the Changzhi area"


def test_possessive_and_apostrophe_style_kept() -> None:
    assert normalize("the Jinxiang Army’s aide and the Jinxiang Army's car", glossary=G).text == (
        "Jin Xiangjun’s aide and Jin Xiangjun's car")


def test_all_caps_surface_stays_all_caps_and_plural_stays_plural() -> None:
    assert normalize("ZHANGZHI NEWS: two Developing Zones", glossary=G).text == "CHANGZHI NEWS: two Development Zones"


def test_audit_log_offsets_in_old_and_new_text() -> None:
    text = "In Zhangzhi, the Jinxiang Army listened."
    result = normalize(text, glossary=G)
    assert result.text == "In Changzhi, Jin Xiangjun listened."
    assert [e.to_dict() for e in result.edits] == [
        {"old_start": 3, "old_end": 11, "new_start": 3, "new_end": 11, "before": "Zhangzhi", "after": "Changzhi",
         "entry": "Changzhi", "kind": "variant"},
        {"old_start": 13, "old_end": 30, "new_start": 13, "new_end": 25, "before": "the Jinxiang Army",
         "after": "Jin Xiangjun", "entry": "Jin Xiangjun", "kind": "variant"},
    ]
    for e in result.edits:
        assert text[e.old_start:e.old_end] == e.before and result.text[e.new_start:e.new_end] == e.after


def test_canonical_and_alternatives_left_alone_and_idempotent() -> None:
    text = "Changzhi City, Changzhi and Jin Xiangjun; Chang\nZhi."
    once = normalize(text, glossary=G)
    assert once.text == "Changzhi City, Changzhi and Jin Xiangjun; Changzhi."
    assert normalize(once.text, glossary=G).edits == ()


def test_fuzzy_reported_not_rewritten_unless_asked() -> None:
    text = "the Jinxiang Armi spoke"
    reported = normalize(text, glossary=G, fuzzy=True)
    assert reported.text == text and [m.text for m in reported.reported] == ["Jinxiang Armi"]
    assert normalize(text, glossary=G, fuzzy=True, rewrite_fuzzy=True).text == "Jin Xiangjun spoke"


def test_sample_article_acceptance() -> None:
    """Issue 3 'done when': every "Jinxiang Army" found and normalised; canonical names untouched."""
    g = load_glossary(ROOT / "eval" / "seed" / "glossary.tsv")
    result = normalize(ARTICLE, glossary=g)
    assert "Jinxiang Army" not in result.text and ARTICLE.count("Jinxiang Army") == 3
    assert [(e.before, e.after, e.kind) for e in result.edits] == [("the Jinxiang Army", "Jin Xiangjun", "variant")] * 3
    assert "Changzhi City, Jin Xiangjun listened to the report" in result.text  # "the Jinxiang Army listened"
    assert "research on the leadership of Jin Xiangjun in thematic education" in result.text
    assert result.text.count("Jin Xiangjun") == 13  # 10 + 3
    assert len(result.text) == len(ARTICLE) - 3 * 5  # "the Jinxiang Army" (17) -> "Jin Xiangjun" (12)
    assert normalize(result.text, glossary=g).edits == ()


def test_sample_article_calque_only_glossary_normalises_too() -> None:
    g = Glossary.from_records([{"canonical": "Jin Xiangjun", "source": "金湘军", "type": "person"}])
    result = normalize(ARTICLE, glossary=g)
    assert [(e.before, e.after, e.kind) for e in result.edits] == [("the Jinxiang Army", "Jin Xiangjun", "calque")] * 3
