"""ROUGE API, edge rows, the unicode mode, the tokenisers, the stemmers and the LCS kernels.

Numbers are computed by hand (comment on each row) or taken from the papers named.
"""

from __future__ import annotations

import random

import pytest

from toolkit.errors import InputError, InputLengthError, UnknownNameError
from toolkit.scoring.rouge import PRF, rouge, rouge_signature, rouge_variants
from toolkit.scoring.rouge.lcs import SummaryLCS, lcs_length, lcs_positions_reference, union_lcs_positions
from toolkit.scoring.rouge.stem import porter_stem_rouge155, rouge155_stem, wordnet_exceptions
from toolkit.scoring.rouge.tokenize import split_sentences, tokenize_rouge155, tokenize_rouge_score, tokenize_unicode

TOL = 1e-9
ZERO = PRF(0.0, 0.0, 0.0)
ALL = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


def _one(pred: str, ref: str | list[str], **kw: object) -> dict[str, PRF]:
    refs = [ref] if isinstance(ref, str) else ref
    return rouge(predictions=[pred], references=[refs], **kw)[0]  # type: ignore[arg-type]


# (prediction, reference, variant, P, R, F): all by hand
GOLDEN = [
    # unigrams: 5 of 6 match both ways
    ("the cat sat on the mat", "the cat was on the mat", "rouge1", 5 / 6, 5 / 6, 5 / 6),
    # bigrams: the-cat, on-the, the-mat match, 3 of 5 both ways
    ("the cat sat on the mat", "the cat was on the mat", "rouge2", 0.6, 0.6, 0.6),
    # LCS "the cat on the mat" = 5
    ("the cat sat on the mat", "the cat was on the mat", "rougeL", 5 / 6, 5 / 6, 5 / 6),
    # P=2/3, R=1 -> F=0.8
    ("a b c", "a b", "rouge1", 2 / 3, 1.0, 0.8),
    # the Lin (2004) section 3.2 example: r = w1..w5, c1 = w1 w2 w6 w7 w8, c2 = w1 w3 w8 w9 w5:
    # union LCS w1 w2 w3 w5 -> R = 4/5; P = 4/10; F = 2*0.4*0.8/1.2
    ("w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5", "w1 w2 w3 w4 w5", "rougeLsum", 0.4, 0.8, 2 * 0.4 * 0.8 / 1.2),
    # same texts on one line: sentence-level LCS of the 10 and 5 tokens is w1 w2 w3 w5 = 4 as well
    ("w1 w2 w6 w7 w8 w1 w3 w8 w9 w5", "w1 w2 w3 w4 w5", "rougeL", 0.4, 0.8, 2 * 0.4 * 0.8 / 1.2),
    # hyphens separate tokens: state of the art (4) vs state of art (3): 3 hits
    ("state-of-the-art", "state-of-art", "rouge1", 3 / 4, 1.0, 2 * 0.75 / 1.75),
]


@pytest.mark.parametrize("pred,ref,variant,p,r,f", GOLDEN)
def test_golden_by_hand(pred: str, ref: str, variant: str, p: float, r: float, f: float) -> None:
    got = _one(pred, ref, variants=[variant])[variant]
    assert abs(got.precision - p) < TOL and abs(got.recall - r) < TOL and abs(got.fmeasure - f) < TOL


@pytest.mark.parametrize("mode", ["rouge-score", "unicode", "rouge155"])
@pytest.mark.parametrize(
    "pred,ref",
    [("", "the cat"), ("the cat", ""), ("", ""), ("!!! ... ---", "the cat"), ("the cat", "?!"), ("\n\n", "a\nb")],
)
def test_empty_or_punctuation_scores_zero(mode: str, pred: str, ref: str) -> None:
    got = _one(pred, ref, variants=ALL, mode=mode)
    assert got == {v: ZERO for v in ALL}


def test_non_ascii_rouge_score_drops_it_unicode_keeps_it() -> None:
    # rouge-score's tokenizer keeps only [a-z0-9]: identical Chinese strings score 0 (its documented quirk)
    zh = "北京欢迎你。\n今天天气很好"
    assert _one(zh, zh, variants=ALL)["rouge1"] == ZERO
    uni = _one(zh, zh, variants=ALL, mode="unicode")
    assert all(v == PRF(1.0, 1.0, 1.0) for v in uni.values())
    # character tokens: 北京欢迎你 vs 北京欢迎您: 4 of 5 characters, bigrams 3 of 4
    got = _one("北京欢迎你", "北京欢迎您", variants=["rouge1", "rouge2"], mode="unicode")
    assert abs(got["rouge1"].fmeasure - 0.8) < TOL and abs(got["rouge2"].fmeasure - 0.75) < TOL
    # accents stay letters in unicode mode, and split words in rouge-score mode
    assert _one("naïve café", "naive cafe", variants=["rouge1"], mode="unicode")["rouge1"] == ZERO
    assert _one("naïve café", "na ve caf", variants=["rouge1"])["rouge1"].fmeasure == 1.0


def test_unicode_mode_equals_rouge_score_on_ascii() -> None:
    texts = ["The cat sat on the mat.", "A dog, 3 cats & 12 mice!\nThen they left.", "State-of-the-art results"]
    for pred in texts:
        for ref in texts:
            for stem in (False, True):
                a = _one(pred, ref, variants=ALL, stem=stem)
                b = _one(pred, ref, variants=ALL, stem=stem, mode="unicode")
                assert a == b


def test_tokenizers() -> None:
    assert tokenize_rouge_score("It's 3.5 km — naïve!") == ["it", "s", "3", "5", "km", "na", "ve"]
    assert tokenize_rouge_score("running dogs ran", stem=True) == ["run", "dog", "ran"]
    assert tokenize_unicode("ＡＢＣ 北京 हिन्दी") == ["abc", "北", "京", "हिन्दी"]  # NFKC folds full-width
    assert tokenize_rouge155("He WENT-home, naïvely", stem=True) == ["he", "go", "home", "na", "veli"]


def test_multi_reference_best_and_average() -> None:
    # refs: "a b" -> P 2/3 R 1 F 0.8; "c d e f" -> P 1/3 R 1/4 F 2/7 (by hand)
    best = _one("a b c", ["c d e f", "a b"], variants=["rouge1"])["rouge1"]
    assert abs(best.precision - 2 / 3) < TOL and best.recall == 1.0 and abs(best.fmeasure - 0.8) < TOL
    avg = _one("a b c", ["c d e f", "a b"], variants=["rouge1"], multi_ref="average")["rouge1"]
    assert abs(avg.precision - 0.5) < TOL and abs(avg.recall - 0.625) < TOL
    assert abs(avg.fmeasure - (0.8 + 2 / 7) / 2) < TOL


def test_lsum_split_newline_or_builtin() -> None:
    text = "Dr. Smith came home. He slept!\nThe end"
    assert split_sentences(text) == ["Dr. Smith came home. He slept!", "The end"]
    assert split_sentences(text, "builtin") == ["Dr. Smith came home.", "He slept!", "The end"]
    assert split_sentences("他来了。她走了！好", "builtin") == ["他来了。", "她走了！", "好"]
    ref = "w1 w2 w3 w4 w5"
    lines = _one("w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5", ref, variants=["rougeLsum"])["rougeLsum"]
    built = _one("w1 w2 w6 w7 w8. w1 w3 w8 w9 w5", ref, variants=["rougeLsum"], lsum_split="builtin")["rougeLsum"]
    assert lines == built
    # without a newline rouge-score's rougeLsum sees one sentence: equal to rougeL
    one_line = _one("w1 w2 w6 w7 w8. w1 w3 w8 w9 w5", ref, variants=["rougeL", "rougeLsum"])
    assert one_line["rougeL"] == one_line["rougeLsum"]


def test_errors_name_the_problem() -> None:
    with pytest.raises(InputLengthError, match="2 predictions but 1 references"):
        rouge(predictions=["a", "b"], references=[["a"]])
    with pytest.raises(UnknownNameError, match="Did you mean 'rougeL'"):
        rouge(predictions=["a"], references=[["a"]], variants=["rougel"])
    with pytest.raises(UnknownNameError):  # ROUGE-W exists only in rouge155 mode
        rouge(predictions=["a"], references=[["a"]], variants=["rougeW"])
    with pytest.raises(UnknownNameError):
        rouge(predictions=["a"], references=[["a"]], mode="rouge-1.5.5")
    with pytest.raises(UnknownNameError):
        rouge(predictions=["a"], references=[["a"]], multi_ref="max")
    with pytest.raises(InputError, match=r"references\[0\]: no reference"):
        rouge(predictions=["a"], references=[[]])
    with pytest.raises(InputError, match="string"):
        rouge(predictions=["a"], references=["a"])  # type: ignore[list-item]


def test_signature_names_every_setting() -> None:
    sig = rouge_signature(variants=["rouge1", "rougeLsum"], stem=True, multi_ref="average", lsum_split="builtin")
    for part in ("mode:rouge-score", "tok:rouge-score.v1", "stem:nltk-porter-", "lsum:builtin", "multi:average",
                 "rouge-score:", "toolkit:"):  # fmt: skip
        assert part in sig
    sig155 = rouge_signature(mode="rouge155", stem=True, multi_ref="average")
    assert "perl:-c 95 -2 4 -U -r 1000 -n 4 -w 1.2 -a -d -m" in sig155 and "wordnet-2.0" in sig155
    assert "empty-exc-db" in rouge_signature(mode="rouge155", stem=True, rouge155_exceptions=False)
    assert rouge_variants("rouge155")[-3:] == ("rougeW", "rougeS4", "rougeSU4")


# Porter (1980), "An algorithm for suffix stripping", examples of each step (word -> stem), which the
# Perl stemmer of ROUGE-1.5.5 reproduces.
PORTER_PAPER = {
    "caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress", "cats": "cat", "feed": "feed",
    "agreed": "agre", "plastered": "plaster", "bled": "bled", "motoring": "motor", "sing": "sing",
    "conflated": "conflat", "troubled": "troubl", "sized": "size", "hopping": "hop", "tanned": "tan",
    "falling": "fall", "hissing": "hiss", "fizzed": "fizz", "failing": "fail", "filing": "file", "happy": "happi",
    "sky": "sky", "relational": "relat", "conditional": "condit", "rational": "ration", "digitizer": "digit",
    "radicalli": "radic", "differentli": "differ", "vileli": "vile", "analogousli": "analog",
    "vietnamization": "vietnam", "predication": "predic", "operator": "oper", "feudalism": "feudal",
    "decisiveness": "decis", "hopefulness": "hope", "callousness": "callous", "formaliti": "formal",
    "sensitiviti": "sensit", "sensibiliti": "sensibl", "triplicate": "triplic", "formative": "form",
    "formalize": "formal", "electriciti": "electr", "electrical": "electr", "hopeful": "hope", "goodness": "good",
    "revival": "reviv", "allowance": "allow", "inference": "infer", "airliner": "airlin", "gyroscopic": "gyroscop",
    "adjustable": "adjust", "defensible": "defens", "irritant": "irrit", "replacement": "replac",
    "adjustment": "adjust", "dependent": "depend", "adoption": "adopt", "homologou": "homolog", "communism": "commun",
    "activate": "activ", "angulariti": "angular", "homologous": "homolog", "effective": "effect",
    "bowdlerize": "bowdler", "probate": "probat", "rate": "rate", "cease": "ceas", "controll": "control",
    "roll": "roll",
}  # fmt: skip


def test_rouge155_porter_reproduces_the_paper_examples() -> None:
    got = {w: porter_stem_rouge155(w) for w in PORTER_PAPER}
    assert got == PORTER_PAPER


def test_rouge155_porter_step4_change() -> None:
    # ROUGE-1.5.5's step 4 applies "-ment" and "-ent" after the other suffixes, one after the other
    # (traced by hand through its rules): governmental -> government -> govern; agreement -> agreem.
    assert porter_stem_rouge155("governmental") == "govern"
    assert porter_stem_rouge155("agreement") == "agreem"


def test_wordnet_exceptions() -> None:
    db = wordnet_exceptions()
    assert len(db) == 5930  # the count the shared data README gives
    assert db["went"] == "go" and db["children"] == "child" and db["better"] == "good"
    assert rouge155_stem("went") == "go" and rouge155_stem("went", exceptions=False) == "went"


def test_union_lcs_matches_quadratic_oracle() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        vocab = rng.randint(1, 6)
        ref = [[rng.randrange(vocab) for _ in range(rng.randint(0, 9))] for _ in range(rng.randint(0, 4))]
        cand = [[rng.randrange(vocab) for _ in range(rng.randint(0, 9))] for _ in range(rng.randint(0, 9))]
        expected = [sorted(set().union(*[set(lcs_positions_reference(r, c)) for c in cand])) for r in ref]
        layout = SummaryLCS(cand)
        assert layout.positions(ref, reversed_order=False) == expected
        assert layout.positions(ref, reversed_order=True) == expected
        assert union_lcs_positions(ref, cand) == expected
        flat = [t for t in cand for t in t]
        for r in ref:
            assert lcs_length(r, flat) == layout.lcs_length(r) == len(lcs_positions_reference(r, flat))
        hit_masks, whole_lcs = layout.hits_and_lcs(ref)
        expected_tokens = sorted(r[i] for r, pos in zip(ref, expected) for i in pos)
        assert sorted(layout.hit_tokens(ref)) == expected_tokens
        assert len(hit_masks) == len(expected_tokens)
        assert whole_lcs == len(lcs_positions_reference([t for r in ref for t in r], flat))


def test_scores_per_segment_are_independent_of_batching() -> None:
    preds = ["the cat sat\non the mat", "a b c", "", "北京"]
    refs = [["the cat was on the mat"], ["a b", "c d e f"], ["x"], ["北京"]]
    batch = rouge(predictions=preds, references=refs, variants=ALL)
    single = [rouge(predictions=[p], references=[r], variants=ALL)[0] for p, r in zip(preds, refs)]
    assert batch == single


def test_fast_and_general_paths_agree() -> None:
    # rouge1/2/L/Lsum with one reference take an inlined path; adding rouge3 takes the general one.
    rng = random.Random(11)
    words = "the a cat dog sat ran on in mat hat red big small and".split()
    preds, refs = [], []
    for _ in range(300):
        preds.append("\n".join(" ".join(rng.choices(words, k=rng.randint(0, 9))) for _ in range(rng.randint(0, 6))))
        refs.append(["\n".join(" ".join(rng.choices(words, k=rng.randint(0, 9))) for _ in range(rng.randint(0, 6)))])
    for stem in (False, True):
        fast = rouge(predictions=preds, references=refs, variants=ALL, stem=stem)
        general = rouge(predictions=preds, references=refs, variants=[*ALL, "rouge3"], stem=stem)
        assert [{v: g[v] for v in ALL} for g in general] == fast
