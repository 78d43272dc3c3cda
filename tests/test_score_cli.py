"""``toolkit score`` and ``toolkit compare`` in-process: formats, file layouts and input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sacrebleu

from toolkit.cli import main

DATA = Path(__file__).parent / "data" / "scoring"
REF = str(DATA / "wmt21.ref.en")
SYS = {name: str(DATA / f"wmt21.{name}.en") for name in ("Borderline", "DIDI-NLP", "Facebook-AI")}


def _run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_score_json_keyed_by_metric(capsys):
    rc, out, _ = _run(capsys, "score", "--hyp", SYS["Borderline"], "--ref", REF, "--metrics", "bleu,chrf,ter,rougeL",
                      "--format", "json", "--bootstrap", "100")
    assert rc == 0
    data = json.loads(out)
    assert list(data) == ["bleu", "chrf", "ter", "rougeL"]
    for entry in data.values():
        assert {"score", "ci", "signature"} <= set(entry)
    # newstest2021_zhen_sacrebleu_corpus_scores_this_split.json (sacrebleu 2.6.0)
    assert data["bleu"]["score"] == pytest.approx(38.430923569925895, abs=1e-9)
    assert data["ter"]["score"] == pytest.approx(56.49095200629426, abs=1e-9)
    assert data["bleu"]["signature"].startswith("bleu|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")


def test_score_table_and_segments(capsys):
    rc, out, _ = _run(capsys, "score", "--hyp", SYS["DIDI-NLP"], "--ref", REF, "--metrics", "rouge1,bleu", "--segments",
                      "--bootstrap", "0")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["metric", "score", "95%", "CI"]
    assert lines[2].startswith("rouge1") and "rouge1|mode:rouge-score" in lines[2]
    assert lines[3].split()[1] == "36.48"  # corpus BLEU of DIDI-NLP, golden file 36.47625055790149
    assert sum(1 for line in lines if line[:3].strip().isdigit()) == 58  # one row per segment


def test_score_jsonl_multi_reference_by_id(tmp_path, capsys):
    hyp = tmp_path / "hyp.jsonl"
    ref = tmp_path / "ref.jsonl"
    hyp.write_text('{"id": "b", "text": "the cat sat on the mat"}\n{"id": "a", "text": "太原市政府"}\n', encoding="utf-8")
    ref.write_text('{"id": "a", "references": ["太原市政府", "太原市"]}\n'
                   '{"id": "b", "references": ["the cat sat on a mat", "a cat was on the mat"]}\n', encoding="utf-8")
    rc, out, _ = _run(capsys, "score", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "rouge1,chrf",
                      "--rouge-mode", "unicode", "--multi-ref", "best", "--format", "json", "--segments")
    assert rc == 0
    data = json.loads(out)
    assert data["rouge1"]["segments"][1] == pytest.approx(100.0)  # id a: identical Chinese text, unicode mode
    expected = sacrebleu.sentence_chrf("the cat sat on the mat", ["the cat sat on a mat", "a cat was on the mat"]).score
    assert data["chrf"]["segments"][0] == pytest.approx(expected, abs=1e-9)  # matched by id, not by line
    assert "nrefs:2" in data["chrf"]["signature"]


def test_count_mismatch_names_both_files_and_counts(tmp_path, capsys):
    short = tmp_path / "short.en"
    short.write_text("one\ntwo\n", encoding="utf-8")
    rc, _, err = _run(capsys, "score", "--hyp", SYS["Borderline"], "--ref", str(short), "--metrics", "bleu")
    assert rc == 1
    assert err.startswith("error: ") and "wmt21.Borderline.en has 58 segments" in err and "short.en has 2 lines" in err


def test_missing_reference_line_is_an_error_unless_another_file_has_one(tmp_path, capsys):
    hyp = tmp_path / "h.txt"
    r1 = tmp_path / "r1.txt"
    r2 = tmp_path / "r2.txt"
    hyp.write_text("a b c\nd e f\n", encoding="utf-8")
    r1.write_text("a b c\n\n", encoding="utf-8")  # second reference missing
    r2.write_text("a b x\nd e f\n", encoding="utf-8")
    rc, _, err = _run(capsys, "score", "--hyp", str(hyp), "--ref", str(r1), "--metrics", "chrf")
    assert rc == 1 and "no reference for line 2" in err
    rc, out, _ = _run(capsys, "score", "--hyp", str(hyp), "--ref", str(r1), "--ref", str(r2), "--metrics", "chrf",
                      "--format", "json", "--bootstrap", "0")
    assert rc == 0 and "nrefs:var" in json.loads(out)["chrf"]["signature"]


def test_empty_hypothesis_warns_and_scores_zero(tmp_path, capsys):
    hyp = tmp_path / "h.txt"
    ref = tmp_path / "r.txt"
    hyp.write_text("\nthe cat sat\n", encoding="utf-8")
    ref.write_text("a dog ran\nthe cat sat\n", encoding="utf-8")
    rc, out, err = _run(capsys, "score", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "rouge1", "--format", "json",
                        "--segments", "--bootstrap", "0")
    assert rc == 0 and "warning: predictions: 1 empty prediction" in err
    assert json.loads(out)["rouge1"]["segments"] == [0.0, 100.0]


def test_unknown_metric_and_bad_format(capsys):
    rc, _, err = _run(capsys, "score", "--hyp", SYS["Borderline"], "--ref", REF, "--metrics", "bleuu")
    assert rc == 1 and "Did you mean 'bleu'" in err
    rc, _, _ = _run(capsys, "score", "--hyp", SYS["Borderline"], "--ref", REF, "--format", "xml")
    assert rc == 2


def test_compare_table_reproduces_sacrebleu_p_value(capsys):
    rc, out, _ = _run(capsys, "compare", "--ref", REF, SYS["Borderline"], SYS["DIDI-NLP"], "--metrics", "bleu")
    assert rc == 0
    # sacreBLEU 2.6.0: SACREBLEU_SEED=12345 sacrebleu wmt21.ref.en -i ...Borderline.en ...DIDI-NLP.en --paired-bs
    # prints (p = 0.0689) for BLEU; full value 0.06893106893106893
    row = next(line for line in out.splitlines() if "DIDI-NLP" in line)
    assert "0.0689" in row and "-1.95" in row
    assert "paired bootstrap resampling, 1000 samples, seed 12345" in out


def test_compare_json_three_systems_with_holm(capsys):
    rc, out, _ = _run(capsys, "compare", "--ref", REF, *SYS.values(), "--metrics", "bleu,rougeL", "--format", "json")
    assert rc == 0
    data = json.loads(out)
    bleu = data["metrics"]["bleu"]["systems"]
    assert [s["system"] for s in bleu] == ["wmt21.Borderline.en", "wmt21.DIDI-NLP.en", "wmt21.Facebook-AI.en"]
    assert bleu[1]["p_value"] == 0.06893106893106893 and bleu[2]["p_value"] == 0.11688311688311688
    assert bleu[1]["p_holm"] == pytest.approx(2 * 0.06893106893106893, abs=1e-15)
    assert 0 < data["metrics"]["rougeL"]["systems"][1]["p_value"] <= 1


def test_compare_needs_two_systems(capsys):
    rc, _, _ = _run(capsys, "compare", "--ref", REF, SYS["Borderline"])
    assert rc == 2


def test_jsonl_reference_missing_id_is_an_error(tmp_path, capsys):
    hyp = tmp_path / "h.jsonl"
    ref = tmp_path / "r.jsonl"
    hyp.write_text('{"id": "1", "text": "a b"}\n{"id": "2", "text": "c d"}\n', encoding="utf-8")
    ref.write_text('{"id": "1", "text": "a b"}\n{"id": "3", "text": "c d"}\n', encoding="utf-8")
    rc, _, err = _run(capsys, "score", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "chrf")
    assert rc == 1 and "no reference entry for id '2'" in err
    ref.write_text('{"id": "1", "text": "a b"}\n', encoding="utf-8")
    rc, _, err = _run(capsys, "score", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "chrf")
    assert rc == 1 and "h.jsonl has 2 segments but" in err and "r.jsonl has 1 reference entries" in err


def test_rouge155_json_carries_perl_average(tmp_path, capsys):
    hyp = tmp_path / "h.jsonl"
    ref = tmp_path / "r.jsonl"
    hyp.write_text('{"id": "d1", "text": "the cat sat on the mat .\\nit was happy ."}\n'
                   '{"id": "d2", "text": "a dog barked ."}\n', encoding="utf-8")
    ref.write_text('{"id": "d1", "references": ["the cat was on the mat .\\nit purred ."]}\n'
                   '{"id": "d2", "references": ["the dog barked loudly ."]}\n', encoding="utf-8")
    rc, out, _ = _run(capsys, "score", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "rouge1,rougeW,rougeSU4",
                      "--rouge-mode", "rouge155", "--format", "json", "--bootstrap", "0")
    assert rc == 0
    data = json.loads(out)
    for name in ("rouge1", "rougeW", "rougeSU4"):
        assert {"rouge155_average", "rouge155_ci"} <= set(data[name])
        assert "mode:rouge155" in data[name]["signature"] and "-f A" in data[name]["signature"]
