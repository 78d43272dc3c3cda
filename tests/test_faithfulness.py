"""Faithfulness: support metrics against the source, findings with spans, the ``toolkit faithfulness`` command.

Golden values are hand calculations (each row says how); MiniLM values are checked against the
``minilm-cosine`` encoder (one source of truth for the embeddings).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from toolkit.cli.app import main
from toolkit.scoring import metric_info, score, segment_units
from toolkit.scoring.faith_findings import find_unsupported
from toolkit.scoring.faithfulness import combine
from toolkit.scoring.mentions import entity_support, mention_support, mentions
from toolkit.scoring.support import content_support, lexical_support, ngram_support, sentence_spans

SEED = Path(__file__).resolve().parents[1] / "eval" / "seed"

# (summary, source, expected (supported, total) content words) - by hand
CONTENT_CASES = [
    ("The cats sat on a red mat.", "The cat sat on the mat.", (3, 4)),  # cat(s), sat, mat found; red not
    ("Running dogs ran.", "The dog was running.", (2, 3)),  # run(ning)=run, dog(s)=dog; "ran" is not stemmed to run
    ("The and of it.", "Anything.", (0, 0)),  # function words only: no content word
    ("Zoë's café", "zoe s cafe", (2, 2)),  # accents folded, possessive split off
    ("", "The cat.", (0, 0)),  # empty summary
]


@pytest.mark.parametrize("summary, source, expected", CONTENT_CASES)
def test_content_support_by_hand(summary, source, expected):
    assert content_support(summary, source) == expected


def test_lexical_support_values_by_hand():
    assert lexical_support("The cats sat on a red mat.", "The cat sat on the mat.") == 75.0  # 3/4
    assert math.isnan(lexical_support("The and of it.", "Anything."))
    # bigrams of "the cat sat on a mat": the-cat, cat-sat, sat-on, on-a, a-mat; source has 3 of them
    assert ngram_support("the cats sat on a mat", "The cat sat on the mat.", 2) == (3, 5)
    # unigrams: every occurrence counts, no clipping: "the the the" against "the" is 3/3
    assert ngram_support("the the the", "the", 1) == (3, 3)


NUMBER_CASES = [
    ("5,000 people", "five thousand people", True),  # 5000 = 5000
    ("2.5 million", "2,500,000", True),  # 2500000
    ("$5m", "5 million dollars", True),  # suffix m = million
    ("twenty-five died", "25 died", True),
    ("two hundred and five", "205", True),
    ("10% more", "10 per cent more", True),  # the value, not the unit
    ("in the 1990s", "in 1990", True),  # decade suffix dropped: the value is 1990
    ("3 people", "three hundred people", False),  # 3 is not 300
    ("12 people", "a dozen people", True),
]


@pytest.mark.parametrize("summary, source, supported", NUMBER_CASES)
def test_numbers_normalised(summary, source, supported):
    rows = [r for r in mention_support(summary, source) if r.mention.kind == "number"]
    assert len(rows) == 1 and rows[0].supported is supported


def test_mentions_kinds_spans_and_keys():
    text = "Police said 5,000 people met Angela Merkel in Jan. on Monday. They may go."
    found = mentions(text)
    assert [(m.kind, m.text, m.key) for m in found] == [
        ("number", "5,000", "5000"), ("entity", "Angela Merkel", "angela merkel"),
        ("date", "Jan.", "january"), ("date", "Monday", "monday"),
    ]  # "Police" (sentence-initial, never capitalised inside a sentence) and the verb "may" are not mentions
    assert all(text[m.start:m.end] == m.text for m in found)
    assert [m.text for m in mentions("One of them came.")] == []  # "one" is not counted as a number


def test_names_supported_word_by_word():
    rows = mention_support("Merkel met Syrian refugees in Paris.", "Angela Merkel met refugees from Syria.")
    assert [(r.mention.text, r.supported, r.missing) for r in rows] == [
        ("Merkel", True, ()), ("Syrian", True, ()),  # Syria + "n": a source word followed by at most 3 letters
        ("Paris", False, ("paris",)),
    ]
    assert entity_support("Merkel met Syrian refugees in Paris.", "Angela Merkel met refugees from Syria.") == (2, 3)
    assert entity_support("the cat sat", "the cat sat") == (0, 0)  # no mention at all


def test_glossary_canonical_supports_variants_and_source_term():
    from toolkit.terminology import load_glossary

    glossary = load_glossary(SEED / "glossary.tsv")
    summary = "The Jinxiang Army visited Changzhi City."
    for source in ("金湘军到长治。", "Governor Jin Xiangjun visited Changzhi."):  # source-language term; canonical
        rows = mention_support(summary, source, glossary)
        assert [(r.mention.text, r.supported, r.entry) for r in rows] == [
            ("Jinxiang Army", True, "Jin Xiangjun"), ("Changzhi City", True, "Changzhi")]
    # without the glossary the mistranslation is not supported by the canonical name
    plain = mention_support(summary, "Governor Jin Xiangjun visited Changzhi.")
    assert [(r.mention.text, r.supported) for r in plain] == [("Jinxiang Army", False), ("Changzhi City", False)]
    # with the glossary, a source that never mentions the entry does not support it
    assert entity_support(summary, "The governor visited.", glossary) == (0, 2)


def test_sentence_spans_on_ptb_lower_cased_text():
    text = "paul merson was brought on . he scored !\nNew line. Dr. Who came."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "paul merson was brought on .", "he scored !", "New line.", "Dr. Who came."]


def test_faithfulness_formula_by_hand():
    assert combine(75.0, float("nan")) == 87.5  # no mention: entity counts 100
    assert combine(75.0, 50.0) == 62.5
    assert math.isnan(combine(float("nan"), 100.0))
    report = score(predictions=["The cats sat on a red mat.", "Merkel met 300 people in Paris."],
                   references=[["x"], ["x"]], sources=["The cat sat on the mat.", "Angela Merkel met 300 people."],
                   metrics=["faithfulness", "support_lexical", "support_entity"], bootstrap=100)
    first, second = report.segments
    assert (first["support_lexical"], math.isnan(first["support_entity"]), first["faithfulness"]) == (75.0, True, 87.5)
    # second: content words merkel met 300 people paris -> 4/5 = 80; mentions Merkel, 300 ok, Paris not -> 2/3
    assert second["support_lexical"] == 80.0 and second["support_entity"] == pytest.approx(200 / 3)
    assert second["faithfulness"] == pytest.approx((80 + 200 / 3) / 2)
    assert report["support_entity"].score == pytest.approx(200 / 3)  # micro: 2 of 3 mentions over both segments
    assert report["faithfulness"].score == pytest.approx((87.5 + (80 + 200 / 3) / 2) / 2)
    assert report["faithfulness"].signature.startswith("faithfulness|faithfulness.v1:mean(lexical,entity|100)|lexical.v1")
    assert first["support_lexical_1gram"] == pytest.approx(500 / 7)  # the cat sat on the mat found, a red not: 5/7


def test_metadata_declared():
    for name in ("support_lexical", "support_entity", "support_sentence", "faithfulness"):
        info = metric_info(name)
        assert info.needs_source and info.higher_is_better and info.range == (0.0, 100.0)
    assert metric_info("support_sentence").needs_model and not metric_info("faithfulness").needs_model


def test_a_copy_of_the_source_is_fully_supported():
    source = "The cat sat on the mat in Paris. It cost 5,000 euros on Monday."
    report = score(predictions=[source], references=[["x"]], sources=[source], bootstrap=0,
                   metrics=["faithfulness", "support_lexical", "support_entity"])
    assert [report[m].score for m in ("faithfulness", "support_lexical", "support_entity")] == [100.0] * 3
    assert find_unsupported(predictions=[source], sources=[source], model=False) == [[]]


def test_findings_spans_and_evidence():
    summary = "Merkel met 300 people in Paris. Aliens landed on Mars in 1999."
    source = "Angela Merkel met three hundred people in Berlin. Nothing else happened."
    found = find_unsupported(predictions=[summary], sources=[source], ids=["doc-1"], model=False)[0]
    assert [(f.kind, f.text, f.confidence) for f in found] == [
        ("entity", "Paris", 1.0), ("sentence", "Aliens landed on Mars in 1999.", 1.0),  # overlap 0: support 0
        ("entity", "Mars", 1.0), ("number", "1999", 1.0)]
    assert all(summary[f.start:f.end] == f.text and f.id == "doc-1" for f in found)
    paris = found[0]
    assert source[paris.evidence_start:paris.evidence_end] == paris.evidence == "Angela Merkel met three hundred people in Berlin."
    assert found[1].support == 0.0 and found[1].to_dict()["missing"] == []


def test_sentence_support_matches_the_minilm_encoder():
    from toolkit.scoring.embedding import encode
    from toolkit.scoring.sentence_support import align_many

    summary, source = "The cat sat on the mat. Dogs fly planes.", "A cat sat on a mat. It was warm today."
    rows = align_many([(summary, source)])[0]
    vectors = encode(["The cat sat on the mat.", "A cat sat on a mat.", "Dogs fly planes.", "It was warm today."])
    first = rows[0]
    assert first.evidence == "A cat sat on a mat." and first.overlap == 1.0  # cat, sat, mat all in the evidence
    assert first.cosine == pytest.approx(float(vectors[0] @ vectors[1]), abs=1e-6)
    assert first.support == pytest.approx((first.cosine + 1.0) / 2, abs=1e-6)
    assert rows[1].overlap == 0.0 and rows[1].support < 0.5


def test_sentence_support_units_do_not_depend_on_the_batch():
    from toolkit.scoring.sentence_support import clear_cache

    docs = [json.loads(line) for line in (SEED / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    preds = [" ".join(d["text"].split(". ")[:2]) + " Aliens landed." for d in docs]
    sources = [d["text"] for d in docs]
    options = dict(metrics=["support_sentence"], references=[["x"]] * len(docs), sources=sources)
    clear_cache()
    whole = score(predictions=preds, bootstrap=0, **options)
    units = []
    for part in (slice(0, 3), slice(3, None)):
        clear_cache()  # each part encodes its sentences afresh, in batches of its own
        units += json.loads(json.dumps(segment_units(predictions=preds[part], metrics=["support_sentence"],
                                                     references=[["x"]] * len(preds[part]), sources=sources[part])))
    joined = score(predictions=preds, bootstrap=0, units=units, **options)
    assert [r["support_sentence"] for r in joined.segments] == [r["support_sentence"] for r in whole.segments]
    assert 30 < whole["support_sentence"].score < 100


def test_a_segment_aligns_alike_alone_and_among_others():
    """Batch independence: a pair's rows do not depend on the pairs (and sentences) encoded with it."""
    from toolkit.scoring.sentence_support import align_many, clear_cache, embed_sentences

    docs = [json.loads(line) for line in (SEED / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    pairs = [(" ".join(d["text"].split(". ")[1:3]) + " Aliens landed on Mars.", d["text"]) for d in docs]
    clear_cache()
    together = align_many(pairs)
    for k in (0, len(pairs) - 1):
        clear_cache()
        assert align_many([pairs[k]]) == [together[k]]  # encoded alone: other batch-mates, other padding
    clear_cache()
    alone = embed_sentences(["Aliens landed on Mars."])
    mixed = embed_sentences([d["text"][:400] for d in docs] + ["Aliens landed on Mars."])  # kept: not encoded again
    assert (mixed[-1] == alone[0]).all()
    clear_cache()
    fresh = embed_sentences([d["text"][:400] for d in docs] + ["Aliens landed on Mars."])
    assert abs(float(fresh[-1] @ alone[0]) - 1.0) < 1e-12  # another batch moves the last bits at most


def test_sentence_support_repeated_call_uses_the_kept_vectors():
    from toolkit.scoring.sentence_support import _CACHE, clear_cache, embed_sentences

    clear_cache()
    first = embed_sentences(["A cat sat.", "A dog ran."])
    assert set(_CACHE) == {"A cat sat.", "A dog ran."}
    again = embed_sentences(["A dog ran.", "A cat sat.", "A dog ran."])
    assert (again[1] == first[0]).all() and (again[0] == again[2]).all() and again.shape == (3, 384)
    assert embed_sentences([]).shape == (0, 384)


def test_batches_on_threads_equal_one_batch_at_a_time_and_restore_torch_threads():
    import torch

    from toolkit.minilm import mean_pooled_batches
    from toolkit.scoring.embedding import _load
    from toolkit.scoring.sentence_support import _batches

    tokenizer, model = _load()
    texts = ["A cat sat.", "The council closed the road after the flood.", "Rain.", "Police said the fire was out."]
    ids = tokenizer(texts)["input_ids"]
    batches = [[ids[0], ids[2]], [ids[1]], [ids[3]]]
    threads = torch.get_num_threads()
    pooled = mean_pooled_batches(model, batches, pad_id=tokenizer.pad_token_id, workers=3)
    assert torch.get_num_threads() == threads
    inline = mean_pooled_batches(model, batches, pad_id=tokenizer.pad_token_id, workers=1)
    assert [tuple(p.shape) for p in pooled] == [(2, 384), (1, 384), (1, 384)]
    assert all(float((a - b).abs().max()) < 1e-14 for a, b in zip(pooled, inline))
    # sorted by length, cut at 64 texts or 512 word pieces (padding included)
    assert _batches([10] * 70, list(range(70))) == [list(range(51)), list(range(51, 70))]
    assert _batches([5, 5, 300], [0, 1, 2]) == [[0, 1], [2]]


def test_cli_jsonl_and_table(tmp_path, capsys):
    hyp, src = tmp_path / "h.jsonl", tmp_path / "s.jsonl"
    hyp.write_text(json.dumps({"id": "a", "text": "Merkel met 300 people in Paris."}) + "\n"
                   + json.dumps({"id": "b", "text": "The cat sat."}) + "\n")
    src.write_text(json.dumps({"id": "b", "text": "The cat sat on the mat."}) + "\n"
                   + json.dumps({"id": "a", "text": "Angela Merkel met 300 people."}) + "\n")  # matched by id
    assert main(["faithfulness", "--hyp", str(hyp), "--source", str(src), "--format", "jsonl", "--no-model"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["id"], x["kind"], x["start"], x["end"], x["text"], x["confidence"]) for x in lines] == [
        ("a", "entity", 25, 30, "Paris", 1.0)]
    assert main(["faithfulness", "--hyp", str(hyp), "--source", str(src), "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "faithfulness" in out and "Paris" in out and "signature: faithfulness|faithfulness.v1" in out


def test_cli_bad_inputs_are_one_line_errors(tmp_path, capsys):
    hyp, src = tmp_path / "h.txt", tmp_path / "s.txt"
    hyp.write_text("one\ntwo\n")
    src.write_text("only one\n")
    assert main(["faithfulness", "--hyp", str(hyp), "--source", str(src), "--no-model"]) == 1
    assert "has 2 segments but" in capsys.readouterr().err
    assert main(["faithfulness", "--hyp", str(hyp), "--source", str(hyp), "--format", "csv"]) == 2


WORDS = ("river town flood water road train work repair damage council people city rain storm minister "
         "visited area homes business cost week police fire hotel report said new old closed").split()


def test_a_copy_of_the_source_gets_the_best_score_property():
    """Registry contract for the source-reading metrics (tests/test_properties.py leaves them to this file)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from toolkit.scoring.registry import METRICS

    names = [n for n, s in METRICS.items() if s.info.needs_source and s.info.higher_is_better and not s.info.needs_model]
    assert names == ["support_lexical", "support_entity", "faithfulness"]
    segment = st.lists(st.sampled_from(WORDS), min_size=4, max_size=8, unique=True).map(" ".join)

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(texts=st.lists(segment, min_size=1, max_size=6), number=st.integers(0, 10**7))
    def check(texts, number):
        texts = [f"{t.capitalize()} in Paris, {number:,} of them" for t in texts]
        report = score(predictions=texts, references=[[t] for t in texts], sources=texts, metrics=names, bootstrap=0)
        for name in names:
            assert report[name].score == pytest.approx(100.0, abs=1e-9), name
            assert all(row[name] == pytest.approx(100.0, abs=1e-9) for row in report.segments), name

    check()


def test_edge_rows_empty_punctuation_chinese():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the empty prediction warns
        report = score(predictions=["", "... !!", "长治市的工厂", "Zhang met 12 people."],
                       references=[["x"]] * 4, sources=["a b", "a b", "长治市有工厂。", "张 met people."],
                       metrics=["faithfulness", "support_lexical", "support_entity"], bootstrap=0)
    empty, punct, chinese, other = report.segments
    assert math.isnan(empty["faithfulness"]) and math.isnan(punct["support_lexical"])  # nothing to support: undefined
    # each CJK character is a word: 长 治 市 的 工 厂, all in the source but 的 -> 5/6
    assert chinese["support_lexical"] == pytest.approx(500 / 6)
    # Zhang (a name) and 12 (a number) are not in the source: 0 of 2 mentions; met, people found, zhang, 12 not
    assert other["support_entity"] == 0.0 and other["support_lexical"] == 50.0 and other["faithfulness"] == 25.0
    assert find_unsupported(predictions=["", "... !!"], sources=["a b", "a b"], model=False) == [[], []]


def test_glossary_changes_the_entity_part_and_the_signature():
    from toolkit.terminology import load_glossary

    glossary = load_glossary(SEED / "glossary.tsv")
    options = dict(predictions=["The Jinxiang Army visited Changzhi."], references=[["x"]],
                   sources=["Governor Jin Xiangjun visited Changzhi City."], metrics=["support_entity", "faithfulness"],
                   bootstrap=0)
    plain, aware = score(**options), score(glossary=glossary, **options)
    assert plain["support_entity"].score == 50.0 and aware["support_entity"].score == 100.0  # Changzhi ok in both
    assert f"glossary:{glossary.fingerprint[:12]}" in aware["faithfulness"].signature
    assert "glossary:none" in plain["faithfulness"].signature
