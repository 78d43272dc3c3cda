"""A catalogue of bad inputs, each run through the CLI as a user would (issue 6; hostile inputs: issue 22).

Every case builds its files in a fresh folder, runs ``toolkit ...`` in-process and checks:
- the exit code (2 usage error, 1 input error, 0 where the input is odd but valid: BOM, CRLF, 1 MB);
- that stderr is exactly one line ``error: ...`` naming the file/line/key and the fix, with no traceback;
- that no output file is left behind, whole or half-written, and no temporary file either.

``eval/bad_inputs_table.py`` runs the same ``CASES`` and prints the markdown table of ``eval/bad_inputs.md``.
Ctrl-C and SIGKILL during a run are covered by ``tests/test_runs.py`` (subprocess + real signals); this file
adds an in-process Ctrl-C variant, disk-full simulations and the ``--debug`` traceback switch.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GLOSSARY = "canonical\tvariants\nJin Xiangjun\tJinxiang Army\n"
DOC = "Jinxiang Army visited Jincheng.\n"
TWO_DOCS = (
    '{"id": "a", "text": "The river flooded the town. Roads were closed. Trains stopped.", "references": ["Roads closed."]}\n'
    '{"id": "b", "text": "Police said the fire was out. The hotel reopened.", "references": ["The fire was out."]}\n'
)
TBX_HEAD = '<?xml version="1.0"?>\n'
TBX_BODY = (
    '<martif type="TBX"><text><body><termEntry id="t1"><langSet xml:lang="en"><tig><term>{term}</term></tig>'
    "</langSet></termEntry></body></text></martif>\n"
)
XXE = TBX_HEAD + '<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + TBX_BODY.format(term="&xxe;")
BOMB = (
    TBX_HEAD + "<!DOCTYPE martif [\n" + '<!ENTITY a0 "lol">\n'
    + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n" + TBX_BODY.format(term="&a9;")  # 10^9 x "lol" if expanded
)
NO_LANG_TBX = TBX_HEAD + (
    '<martif type="TBX"><text><body><termEntry id="t1"><tig><term>Jin Xiangjun</term></tig></termEntry>'
    "</body></text></martif>\n"
)


def config(**overrides: object) -> str:
    """A small valid run config (JSON is YAML) with top-level overrides."""
    data: dict[str, object] = {
        "name": "bad", "data": {"path": "docs.jsonl"}, "systems": [{"name": "lead", "model": "lead-3"}],
        "metrics": ["rouge1"], "bootstrap": {"resamples": 10, "seed": 1}, "output_dir": "runs",
    }
    data.update(overrides)
    return json.dumps(data)


def _pickle_only_model(folder: Path) -> None:
    """A real (tiny, random) BART saved the old way: config.json + pytorch_model.bin, no safetensors."""
    import torch
    import transformers

    cfg = transformers.BartConfig(
        vocab_size=32, d_model=8, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=16, decoder_ffn_dim=16, max_position_embeddings=32,
    )
    model = transformers.BartForConditionalGeneration(cfg)
    (folder / "pickled").mkdir()
    cfg.save_pretrained(folder / "pickled")
    torch.save(model.state_dict(), folder / "pickled" / "pytorch_model.bin")


def _incompatible_run(folder: Path) -> None:
    run_dir = folder / "runs" / "bad"
    run_dir.mkdir(parents=True)
    (run_dir / "manifest.json").write_text(json.dumps({"name": "bad", "run_format": 99}), encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """One bad input: files to create, the command, and what the user must see."""

    id: str
    item: str  # the issue's wording
    argv: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)
    rc: int = 1
    expect: tuple[str, ...] = ()  # substrings of the one stderr line
    absent: tuple[str, ...] = ()  # outputs that must not exist afterwards
    setup: Callable[[Path], None] | None = None
    check: Callable[[Path, str], None] | None = None  # extra checks on (folder, stdout)
    stdin: bytes | None = None
    xfail: str | None = None
    slow: bool = False
    env: dict[str, str] = field(default_factory=dict)  # environment of the command ({tmp}: the case's folder)
    report: bool = False  # the command prints a report on stdout whose first line is the error (terms check)


def _same_bleu_as_clean(folder: Path, out: str) -> None:
    clean = json.loads(out)
    # hyp == ref except one word in three segments; the clean files give the same scores (sacreBLEU 2.x)
    assert clean["bleu"]["score"] == pytest.approx(_score_json(folder, "h.txt", "r.txt")["bleu"]["score"], abs=1e-12)


def _score_json(folder: Path, hyp: str, ref: str) -> dict:
    from toolkit.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["score", "--hyp", str(folder / hyp), "--ref", str(folder / ref), "--metrics", "bleu,chrf",
                     "--bootstrap", "0", "--format", "json"]) == 0
    return json.loads(buf.getvalue())


def _same_scores_as_lf(folder: Path, out: str) -> None:
    # CRLF references give exactly the scores of the LF file
    assert json.loads(out) == _score_json(folder, "h.txt", "r.txt")


def _bom_offsets(folder: Path, out: str) -> None:
    rows = [json.loads(line) for line in out.splitlines()]
    # "Jinxiang Army" starts at character 0 of the text; a BOM must not shift offsets
    assert [(r["start"], r["end"], r["canonical"]) for r in rows] == [(0, 13, "Jin Xiangjun")]


def _literal_terms(folder: Path, out: str) -> None:
    rows = [json.loads(line) for line in out.splitlines()]
    found = [(r["start"], r["text"], r["canonical"]) for r in rows]
    # "C++ and C+ and axb and a.b and (a.b": "C++" and "a.b" match only literally ("axb" at 15 is not "a.b"),
    # "C+" at 8 is the variant of "C++", and "(" before "a.b" at 32 changes nothing
    assert found == [(0, "C++", "C++"), (8, "C+", "C++"), (23, "a.b", "a.b"), (32, "a.b", "a.b")], found


def _one_summary(folder: Path, out: str) -> None:
    rows = [json.loads(line) for line in (folder / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["id"] == "big" and rows[0]["text"].startswith("word word")


def _one_megabyte_align(folder: Path, out: str) -> None:
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 1 and rows[0]["start"] == 1_000_000 and rows[0]["canonical"] == "Jin Xiangjun"


def _no_passwd(folder: Path, out: str) -> None:
    assert "root:" not in out


def _not_executed(folder: Path, out: str) -> None:
    assert not (folder / "pwned").exists()


CASES: list[Case] = [
    # --- documents and segments -------------------------------------------------------------------
    Case("empty-file", "empty file", ("align", "-g", "g.tsv", "empty.txt"),
         {"g.tsv": GLOSSARY, "empty.txt": ""}, expect=("empty.txt: file is empty",)),
    Case("whitespace-only-text", "whitespace-only document (text file)", ("align", "-g", "g.tsv", "ws.txt"),
         {"g.tsv": GLOSSARY, "ws.txt": " \n\t \n"}, expect=("ws.txt: file is empty",)),
    Case("whitespace-only-jsonl-doc", "whitespace-only document (JSONL, summarize)",
         ("summarize", "docs.jsonl", "-m", "lead-3", "-o", "out.jsonl", "--no-progress"),
         {"docs.jsonl": '{"id": "a", "text": "One. Two."}\n{"id": "b", "text": " \\n\\t "}\n'},
         expect=("docs.jsonl", "'b'", "empty"), absent=("out.jsonl",)),
    Case("empty-stdin", "empty file (stdin)", ("align", "-g", "g.tsv", "-"), {"g.tsv": GLOSSARY},
         stdin=b"", expect=("-: file is empty",)),
    Case("invalid-utf8", "invalid UTF-8", ("align", "-g", "g.tsv", "latin1.txt"),
         {"g.tsv": GLOSSARY, "latin1.txt": "ok line\ncaf\xe9\n".encode("latin-1")},
         expect=("latin1.txt:2: not valid UTF-8", "iconv")),
    Case("invalid-utf8-jsonl", "invalid UTF-8 (JSONL hypotheses)",
         ("score", "--hyp", "h.jsonl", "--ref", "r.txt"),
         {"h.jsonl": '{"id": "1", "text": "a"}\n{"id": "2", "text": "\xff"}\n'.encode("latin-1"), "r.txt": "a\nb\n"},
         expect=("h.jsonl:2: not valid UTF-8",)),
    Case("utf8-bom-score", "UTF-8 with BOM (scores equal the clean file's)",
         ("score", "--hyp", "bom.txt", "--ref", "r.txt", "--metrics", "bleu,chrf", "--bootstrap", "0", "--format", "json"),
         {"bom.txt": "\ufeffthe cat sat on the mat\na dog ran\nit rained today\n",
          "h.txt": "the cat sat on the mat\na dog ran\nit rained today\n",
          "r.txt": "the cat sat on a mat\na dog ran off\nit rained yesterday\n"},
         rc=0, check=_same_bleu_as_clean),
    Case("utf8-bom-offsets", "UTF-8 with BOM (align offsets not shifted)", ("align", "-g", "g.tsv", "bom.txt"),
         {"g.tsv": GLOSSARY, "bom.txt": "\ufeffJinxiang Army visited Jincheng.\n"}, rc=0, check=_bom_offsets),
    Case("crlf", "CRLF line ends (scores equal the clean file's)",
         ("score", "--hyp", "h.txt", "--ref", "crlf.txt", "--metrics", "bleu,chrf", "--bootstrap", "0", "--format", "json"),
         {"h.txt": "the cat sat on the mat\na dog ran\nit rained today\n",
          "r.txt": "the cat sat on a mat\na dog ran off\nit rained yesterday\n",
          "crlf.txt": "the cat sat on a mat\r\na dog ran off\r\nit rained yesterday\r\n"},
         rc=0, check=_same_scores_as_lf),
    Case("nul-byte", "a NUL byte", ("align", "-g", "g.tsv", "nul.txt"),
         {"g.tsv": GLOSSARY, "nul.txt": b"first line\nsecond\x00line\n"}, expect=("nul.txt:2: contains a NUL byte",)),
    Case("one-megabyte-align", "a 1 MB single document (align)", ("align", "-g", "g.tsv", "big.txt"),
         {"g.tsv": GLOSSARY, "big.txt": "x" * 999_999 + " Jinxiang Army.\n"}, rc=0, check=_one_megabyte_align),
    Case("one-megabyte-summarize", "a 1 MB single document (summarize lead-3)",
         ("summarize", "big.jsonl", "-m", "lead-3", "-o", "out.jsonl", "--no-progress"),
         {"big.jsonl": json.dumps({"id": "big", "text": "word " * 210_000 + "end."}) + "\n"}, rc=0, check=_one_summary),
    Case("count-mismatch", "hypothesis/reference count mismatch", ("score", "--hyp", "h.txt", "--ref", "r.txt"),
         {"h.txt": "a\nb\nc\n", "r.txt": "a\nb\n"}, expect=("h.txt has 3 segments but r.txt has 2 lines",)),
    Case("count-mismatch-jsonl", "hypothesis/reference count mismatch (JSONL ids)",
         ("score", "--hyp", "h.jsonl", "--ref", "r.jsonl"),
         {"h.jsonl": '{"id": "1", "text": "a"}\n{"id": "2", "text": "b"}\n', "r.jsonl": '{"id": "1", "text": "a"}\n'},
         expect=("h.jsonl has 2 segments but r.jsonl has 1 reference entries",)),
    Case("broken-jsonl-line", "JSONL with a broken line (its line number)", ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": '{"id": "a", "text": "x"}\n\n{"id": "b", text: "y"}\n'},
         expect=("docs.jsonl:3: broken JSON", "fix or remove this line")),
    Case("jsonl-not-object", "JSONL line that is not an object", ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": '{"id": "a", "text": "x"}\n["b", "y"]\n'},
         expect=("docs.jsonl:2: expected a JSON object",)),
    Case("missing-text-field", "missing text field", ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": '{"id": "a", "body": "x"}\n'}, expect=("docs.jsonl:1: missing field 'text'",)),
    Case("text-not-string", "text field of the wrong type", ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": '{"id": "a", "text": 42}\n'},
         expect=("docs.jsonl:1: field 'text' must be a string",)),
    Case("missing-id-reference", "missing id field (JSONL references)", ("score", "--hyp", "h.jsonl", "--ref", "r.jsonl"),
         {"h.jsonl": '{"id": "1", "text": "a b"}\n', "r.jsonl": '{"text": "a b"}\n'},
         expect=("r.jsonl:1: missing field 'id'",)),
    Case("missing-id-run-data", "missing id field (run data)", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": '{"text": "One. Two.", "references": ["One."]}\n'},
         expect=("docs.jsonl:1: missing id field 'id'", "data.id_field"), absent=("runs/bad/results.json",)),
    Case("duplicate-ids", "duplicate ids", ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": '{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n'},
         expect=("docs.jsonl:2: duplicate id 'a' (first on line 1)",)),
    Case("duplicate-ids-references", "duplicate ids (JSONL references)", ("score", "--hyp", "h.jsonl", "--ref", "r.jsonl"),
         {"h.jsonl": '{"id": "1", "text": "a"}\n{"id": "2", "text": "b"}\n',
          "r.jsonl": '{"id": "1", "text": "a"}\n{"id": "1", "text": "b"}\n'},
         expect=("r.jsonl:2: duplicate id '1' (first on line 1)",)),
    Case("no-references-run", "run data without references", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": '{"id": "a", "text": "One. Two."}\n'},
         expect=("1 of the first 1 documents have no reference", "id 'a'"), absent=("runs/bad/results.json",)),
    Case("input-is-folder", "input path is a folder", ("align", "-g", "g.tsv", "adir"),
         {"g.tsv": GLOSSARY, "adir/x.txt": "x"}, expect=("adir: is a folder",)),
    Case("input-missing", "input file not found", ("score", "--hyp", "nope.txt", "--ref", "r.txt"),
         {"r.txt": "a\n"}, expect=("nope.txt: file not found",)),
    # --- glossaries ------------------------------------------------------------------------------
    Case("variant-two-canonicals", "a variant mapped to two canonical terms", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical\tvariants\nAlpha\tX\nBeta\tX\n", "doc.txt": DOC},
         expect=("g.tsv:3", "variant 'X' also maps to 'Alpha' (line 2)", "terms check")),
    Case("variant-chain", "a variant chain", ("normalize", "-g", "g.tsv", "doc.txt", "-o", "out.txt"),
         {"g.tsv": "canonical\tvariants\nAlpha\tBeta\nBeta\tGamma\n", "doc.txt": DOC},
         expect=("g.tsv:3", "canonical term is a variant of 'Alpha'"), absent=("out.txt",)),
    Case("empty-canonical", "an empty canonical term", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical\tvariants\n\tJinxiang Army\n", "doc.txt": DOC}, expect=("g.tsv:2", "empty canonical term")),
    Case("regex-metacharacters", "regex metacharacters in terms (matched literally)", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical\tvariants\nC++\tC+\na.b\t\n", "doc.txt": "C++ and C+ and axb and a.b and (a.b\n"},
         rc=0, check=_literal_terms),
    Case("header-only-glossary", "a glossary with only a header", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical\tvariants\tsource\n", "doc.txt": DOC}, expect=("g.tsv", "no entries")),
    Case("wrong-delimiter", "a TSV with the wrong delimiter", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical,variants\nJin Xiangjun,Jinxiang Army\n", "doc.txt": DOC},
         expect=("g.tsv:1: header has no 'canonical' column",)),
    Case("glossary-missing", "glossary file not found", ("align", "-g", "nope.tsv", "doc.txt"), {"doc.txt": DOC},
         expect=("nope.tsv: glossary file not found",)),
    Case("glossary-invalid-utf8", "glossary not UTF-8 (spreadsheet export)", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical\tvariants\nZ\xfcrich\tZurich\n".encode("cp1252"), "doc.txt": DOC},
         expect=("g.tsv:2: not valid UTF-8",)),
    Case("glossary-broken-json", "glossary JSON with a syntax error", ("align", "-g", "g.json", "doc.txt"),
         {"g.json": '[\n{"canonical": "A"},\n{"canonical": "B",}\n]\n', "doc.txt": DOC},
         expect=("g.json:3: broken JSON",)),
    Case("csv-broken-quoting", "a CSV glossary with an unterminated quote", ("align", "-g", "g.csv", "doc.txt"),
         {"g.csv": 'canonical,variants\n"Jin Xiangjun,Jinxiang Army\nXi Jinping,\n', "doc.txt": DOC},
         expect=("g.csv:2", "quot")),
    Case("tbx-external-entity", "a TBX with an external entity", ("align", "-g", "g.tbx", "doc.txt"),
         {"g.tbx": XXE, "doc.txt": DOC}, expect=("g.tbx: refused unsafe XML", "remove entity declarations"),
         check=_no_passwd),
    Case("tbx-entity-bomb", "a TBX with an entity-expansion bomb (not expanded)", ("align", "-g", "g.tbx", "doc.txt"),
         {"g.tbx": BOMB, "doc.txt": DOC}, expect=("g.tbx: refused unsafe XML",)),
    Case("tbx-no-language", "TBX without a language section", ("align", "-g", "g.tbx", "doc.txt"),
         {"g.tbx": NO_LANG_TBX, "doc.txt": DOC}, expect=("g.tbx", "langSet")),
    # --- names and configs -----------------------------------------------------------------------
    Case("unknown-metric", "unknown metric name (did-you-mean)", ("score", "--hyp", "h.txt", "--ref", "h.txt", "--metrics", "blue"),
         {"h.txt": "a b\n"}, expect=("metric 'blue' not found. Did you mean 'bleu'?",)),
    Case("unknown-metric-config", "unknown metric name in a config", ("validate", "c.yaml"),
         {"c.yaml": config(metrics=["rouge1", "chfr"]), "docs.jsonl": TWO_DOCS}, expect=("c.yaml: metrics[1]: metric 'chfr' not found", "Did you mean 'chrf'?")),
    Case("unknown-config-key", "unknown config key (with its path)", ("validate", "c.yaml"),
         {"c.yaml": config(metrix=["bleu"])}, expect=("c.yaml: metrix: unknown key; did you mean 'metrics'?",)),
    Case("unknown-nested-key", "unknown config key, nested", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(bootstrap={"resamples": 10, "sead": 1})},
         expect=("c.yaml: bootstrap -> sead: unknown key; did you mean 'seed'?",), absent=("runs",)),
    Case("wrong-type-config", "wrong type in config", ("validate", "c.yaml"),
         {"c.yaml": config(bootstrap={"resamples": "many"})}, expect=("c.yaml: bootstrap -> resamples", "valid integer", "'many'")),
    Case("invalid-yaml", "config that is not YAML", ("validate", "c.yaml"),
         {"c.yaml": "name: x\n  data: [\n"}, expect=("c.yaml: invalid YAML at line 2",)),
    Case("yaml-python-tag", "config with a python/object tag (safe loading)", ("validate", "c.yaml"),
         {"c.yaml": "!!python/object/apply:os.system ['touch pwned']\n"},
         expect=("c.yaml: invalid YAML at line 1", "could not determine a constructor"), check=_not_executed),
    Case("config-missing", "config file not found", ("run", "nope.yaml"), {}, expect=("config file not found: nope.yaml",)),
    Case("bad-override", "a key=value override with no '='", ("run", "c.yaml", "limit"),
         {"c.yaml": config()}, expect=("override 'limit': expected key=value",)),
    Case("model-not-offline", "a model name that is not available offline",
         ("summarize", "docs.jsonl", "-m", "no-such-org/no-such-model", "-o", "out.jsonl", "--no-progress"),
         {"docs.jsonl": TWO_DOCS}, expect=("'no-such-org/no-such-model' is not available", "hf download"),
         absent=("out.jsonl",)),
    Case("unknown-model-name", "a misspelt built-in model name",
         ("summarize", "docs.jsonl", "-m", "smolm2-135m", "-o", "out.jsonl"),
         {"docs.jsonl": TWO_DOCS}, expect=("Did you mean 'smollm2-135m'?",), absent=("out.jsonl",)),
    Case("model-folder-no-weights", "a local model folder without weights",
         ("summarize", "docs.jsonl", "-m", "mymodel", "-o", "out.jsonl", "--no-progress"),
         {"docs.jsonl": TWO_DOCS, "mymodel/config.json": '{"model_type": "bart"}'},
         expect=("'mymodel': no weights", "mymodel"), absent=("out.jsonl",)),
    Case("pickle-only-checkpoint", "a pickle-only checkpoint (refused by default)",
         ("summarize", "docs.jsonl", "-m", "pickled", "-o", "out.jsonl", "--no-progress"),
         {"docs.jsonl": TWO_DOCS}, setup=_pickle_only_model, slow=True,
         expect=("'pickled' has only pickle weights", "--allow-pickle"), absent=("out.jsonl",)),
    Case("trust-remote-code-config", "a config asking for trust_remote_code without the flag",
         ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(systems=[{"name": "custom", "model": "lead-3", "trust_remote_code": True}]), "docs.jsonl": TWO_DOCS},
         expect=("c.yaml: systems[0] (custom) -> trust_remote_code: true", "--trust-remote-code"), absent=("runs",)),
    Case("summarize-bad-setting", "a generation setting out of range",
         ("summarize", "docs.jsonl", "-m", "lead-3", "-o", "out.jsonl", "--num-beams", "0"),
         {"docs.jsonl": TWO_DOCS}, expect=("num_beams: must be an integer >= 1 (got 0)",), absent=("out.jsonl",)),
    Case("bleu-tokenizer-missing", "a target language whose BLEU tokenizer is not installed",
         ("score", "--hyp", "h.txt", "--ref", "h.txt", "--metrics", "bleu", "--target-lang", "ja"),
         {"h.txt": "a b c d\n"}, expect=("bleu: the tokenizer for target language 'ja' needs", "sacrebleu[ja]")),
    Case("meta-unknown-format", "unknown input layout (did-you-mean)",
         ("meta-evaluate", "--human", "h.jsonl", "--metrics", "rouge1", "--format", "summevl"),
         {"h.jsonl": "{}\n"}, expect=("format 'summevl' not found. Did you mean 'summeval'?",)),
    Case("meta-human-not-object", "human scores of the wrong type", ("meta-evaluate", "--human", "h.jsonl", "--metrics", "rouge1"),
         {"h.jsonl": '{"id": "1", "system": "s", "text": "a", "references": ["a"], "human": "high"}\n'},
         expect=("h.jsonl:1: field 'human' must be an object",)),
    # --- output folders and run folders ----------------------------------------------------------
    Case("output-not-writable", "an output folder that is not writable",
         ("normalize", "-g", "g.tsv", "doc.txt", "-o", "afile/out.txt"),
         {"g.tsv": GLOSSARY, "doc.txt": DOC, "afile": "a file, not a folder"},
         expect=("afile/out.txt: cannot write here (afile is a file, not a folder); choose a writable folder",)),
    Case("summarize-output-not-writable", "an output folder that is not writable (summarize)",
         ("summarize", "docs.jsonl", "-m", "lead-3", "-o", "afile/out.jsonl", "--no-progress"),
         {"docs.jsonl": TWO_DOCS, "afile": "x"},
         expect=("afile/out.jsonl: cannot write here (afile is a file, not a folder)",)),
    Case("normalize-edits-not-writable", "normalize whose --edits path is not writable (no half result)",
         ("normalize", "-g", "g.tsv", "doc.txt", "-o", "out.txt", "--edits", "afile/edits.jsonl"),
         {"g.tsv": GLOSSARY, "doc.txt": DOC, "afile": "x"},
         expect=("afile/edits.jsonl: cannot write here (afile is a file, not a folder)",), absent=("out.txt",)),
    Case("device-cuda-on-cpu", "--device cuda on a machine without CUDA",
         ("summarize", "docs.jsonl", "-m", "minilm-centrality", "-o", "out.jsonl", "--device", "cuda", "--no-progress"),
         {"docs.jsonl": TWO_DOCS}, expect=("cuda", "--device cpu"), absent=("out.jsonl",), slow=True),
    Case("run-output-not-writable", "a run output_dir that is not writable", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(output_dir="afile/runs"), "docs.jsonl": TWO_DOCS, "afile": "x"},
         expect=("afile/runs/bad: output folder is not writable", "output_dir")),
    Case("incompatible-run-folder", "a run folder from an incompatible config", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": TWO_DOCS}, setup=_incompatible_run,
         expect=("runs/bad: holds a run of another config or toolkit format", "--fresh"),
         absent=("runs/bad/results.json",)),
    Case("report-not-a-run", "report on a folder that is not a run", ("report", "nope"), {},
         expect=("nope: not a folder",)),
    Case("report-no-results", "report on a run folder with no results.json", ("report", "runs/bad"),
         {"runs/bad/config.resolved.yaml": "name: bad\n"}, expect=("runs/bad",)),
    Case("run-data-missing", "run data file not found", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config()}, expect=("c.yaml: data -> path: docs.jsonl does not exist",), absent=("runs",)),
    Case("run-glossary-missing", "run glossary file not found", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(glossary={"path": "nope.tsv"}), "docs.jsonl": TWO_DOCS},
         expect=("c.yaml: glossary -> path: nope.tsv does not exist",), absent=("runs",)),
    Case("run-generation-typo", "a misspelt generation setting in a run config", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(systems=[{"name": "s", "model": "lead-3", "generation": {"max_new_token": 3}}]),
          "docs.jsonl": TWO_DOCS},
         expect=("c.yaml: systems[0] -> generation -> max_new_token: unknown generation setting; "
                 "did you mean 'max_new_tokens'?",), absent=("runs",)),
    Case("run-metric-typo", "a misspelt metric in a run config (caught before summarising)",
         ("run", "c.yaml", "--no-progress"), {"c.yaml": config(metrics=["rouge", "bleu4"]), "docs.jsonl": TWO_DOCS},
         expect=("c.yaml: metrics[1]: metric 'bleu4' not found. Did you mean 'bleu'?",), absent=("runs",)),
    Case("run-csv-wrong-delimiter", "run data CSV with the wrong delimiter", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(data={"path": "docs.csv"}), "docs.csv": "id;text;references\na;One. Two.;One.\n"},
         expect=("docs.csv:1: header has no 'text' column", "check the delimiter")),
    Case("jsonl-refs-plain-hyp", "JSONL references with plain-text hypotheses", ("score", "--hyp", "h.txt", "--ref", "r.jsonl"),
         {"h.txt": "a b\n", "r.jsonl": '{"id": "1", "text": "a b"}\n'},
         expect=("r.jsonl: JSONL references need JSONL hypotheses with ids",)),
    # --- usage errors (exit 2) -------------------------------------------------------------------
    Case("usage-missing-option", "usage: a required option missing", ("align", "doc.txt"), {"doc.txt": DOC},
         rc=2, expect=("Missing option '--glossary'", "see 'toolkit align --help'")),
    Case("usage-bad-choice", "usage: a bad --format", ("score", "--hyp", "h.txt", "--ref", "h.txt", "--format", "xml"),
         {"h.txt": "a\n"}, rc=2, expect=("Invalid value for", "--format", "see 'toolkit score --help'")),
    Case("usage-unknown-option", "usage: an unknown option", ("score", "--hpy", "h.txt"), {}, rc=2,
         expect=("No such option: --hpy", "see 'toolkit score --help'")),
    Case("usage-not-an-int", "usage: a number option given a word",
         ("summarize", "docs.jsonl", "-o", "out.jsonl", "--max-new-tokens", "many"), {"docs.jsonl": TWO_DOCS},
         rc=2, expect=("Invalid value for '--max-new-tokens'", "valid integer"), absent=("out.jsonl",)),
    Case("usage-compare-one-system", "usage: compare with one system", ("compare", "h.txt", "--ref", "h.txt"),
         {"h.txt": "a\n"}, rc=2, expect=("give at least two system files",)),
    Case("usage-unknown-command", "usage: an unknown subcommand", ("scroe",), {}, rc=2,
         expect=("No such command 'scroe'",)),
]


# --- hostile inputs (issue 22): paths, commands from data, resumes, resources, glossary types, messages ----

SHA = "0123456789abcdef0123456789abcdef01234567"
LAUGHS = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n" for i in range(9))
LAUGHS_CONFIG = LAUGHS + "name: *l8\n"  # 9^9 "lol"s if the aliases were expanded (about 460 bytes of YAML)
LAUGHS_GLOSSARY = LAUGHS + "entries: [{canonical: Jin Xiangjun, variants: *l8}]\n"
DEEP_TBX = TBX_HEAD + TBX_BODY.format(term="Jin Xiangjun").replace(
    "</langSet>", "</langSet>" + "<note>" * 5_000 + "x" + "</note>" * 5_000)


def _victim(folder: Path) -> None:
    (folder / "victim").mkdir()
    (folder / "victim" / "precious.txt").write_text("years of work", encoding="utf-8")


def _absolute_run_name(folder: Path) -> None:
    _victim(folder)
    (folder / "c.yaml").write_text(config(name=str(folder / "victim")), encoding="utf-8")


def _victim_intact(folder: Path, out: str) -> None:
    assert (folder / "victim" / "precious.txt").read_text(encoding="utf-8") == "years of work"


def _nothing_outside(folder: Path, out: str) -> None:
    assert not (folder.parent / "x").exists() and not (folder / "runs").exists()


def _notes_kept(folder: Path, out: str) -> None:
    assert (folder / "work" / "notes.txt").read_text(encoding="utf-8") == "keep me"


def _thesis_kept(folder: Path, out: str) -> None:
    assert (folder / "work" / "thesis" / "chapter1.tex").read_text(encoding="utf-8") == "years of work"


def _store_is_link(folder: Path) -> None:
    (folder / "runs" / "bad" / "summaries").mkdir(parents=True)
    (folder / "runs" / "bad" / "summaries" / "lead.jsonl").symlink_to(folder / "victim.txt")


def _store_folder_is_link(folder: Path) -> None:
    (folder / "elsewhere").mkdir()
    (folder / "runs" / "bad").mkdir(parents=True)
    (folder / "runs" / "bad" / "summaries").symlink_to(folder / "elsewhere")


def _run_folder_is_link(folder: Path) -> None:
    (folder / "elsewhere").mkdir()
    (folder / "runs").mkdir()
    (folder / "runs" / "bad").symlink_to(folder / "elsewhere")


def _store_is_fifo(folder: Path) -> None:
    (folder / "runs" / "bad" / "summaries").mkdir(parents=True)
    os.mkfifo(folder / "runs" / "bad" / "summaries" / "lead.jsonl")  # reading it would wait for a writer forever


def _manifest_is_fifo(folder: Path) -> None:
    (folder / "runs" / "bad").mkdir(parents=True)
    os.mkfifo(folder / "runs" / "bad" / "manifest.json")


def _victim_file_intact(folder: Path, out: str) -> None:
    assert (folder / "victim.txt").read_text(encoding="utf-8") == "precious\n"
    elsewhere = folder / "elsewhere"
    assert not elsewhere.exists() or not any(elsewhere.iterdir())  # nothing written through a link


def _tilde_expanded(folder: Path, out: str) -> None:
    assert (folder / "home" / "runs" / "bad" / "results.json").is_file()
    assert not (folder / "~").exists()


def _run_input_kept(folder: Path, out: str) -> None:
    assert (folder / "runs" / "bad" / "scores.jsonl").read_text(encoding="utf-8") == TWO_DOCS


def _id_replaced(folder: Path, out: str) -> None:
    rows = [json.loads(line) for line in (folder / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == [("caf\ufffd", "One. Two. Three.")]  # was: internal error


def _docs_unchanged(folder: Path, out: str) -> None:
    assert (folder / "docs.jsonl").read_text(encoding="utf-8") == TWO_DOCS


def _doc_unchanged(folder: Path, out: str) -> None:
    assert (folder / "doc.txt").read_text(encoding="utf-8") == DOC


def _git_read_not_run(folder: Path, out: str) -> None:
    assert not (folder / "pwned").exists()  # core.fsmonitor would have run `touch pwned`
    manifest = json.loads((folder / "runs" / "bad" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["git_commit"] == SHA  # read from .git/HEAD -> refs/heads/main


def _temp_removed(folder: Path, out: str) -> None:
    assert not (folder / "runs" / "bad" / ".report.html.k2j4h1x0.tmp").exists()
    assert (folder / "runs" / "bad" / "results.json").is_file()


def _yaml_booleans_are_text(folder: Path, out: str) -> None:
    rows = [json.loads(line) for line in out.splitlines()]
    # YAML 1.1 would read NO as false (and normalize would then rewrite "False"); the glossary keeps it as text
    assert [(r["text"], r["canonical"]) for r in rows] == [("NO", "Norway"), ("Norge", "Norway")]


HOSTILE_CASES: list[Case] = [
    # paths
    Case("hostile-run-name-absolute", "a run name that is an absolute path, with --fresh (would delete it)",
         ("run", "c.yaml", "--fresh", "--no-progress"), {"docs.jsonl": TWO_DOCS}, setup=_absolute_run_name,
         expect=("c.yaml: name: '/", "is not usable as a file name"), check=_victim_intact),
    Case("hostile-run-name-dotdot", "a run name that climbs out of output_dir", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(name="../../x"), "docs.jsonl": TWO_DOCS},
         expect=("c.yaml: name: '../../x' is not usable as a file name",), check=_nothing_outside),
    Case("hostile-run-name-dot", "run name '.' with --no-resume (would empty output_dir)",
         ("run", "c.yaml", "--no-resume", "--no-progress"),
         {"c.yaml": config(name=".", output_dir="work"), "docs.jsonl": TWO_DOCS, "work/notes.txt": "keep me"},
         expect=("c.yaml: name: '.' is not usable as a file name",), check=_notes_kept),
    Case("hostile-fresh-not-a-run", "--fresh on a folder that is not a toolkit run",
         ("run", "c.yaml", "--fresh", "--no-progress"),
         {"c.yaml": config(name="thesis", output_dir="work"), "docs.jsonl": TWO_DOCS,
          "work/thesis/chapter1.tex": "years of work"},
         expect=("work/thesis: is not a toolkit run folder", "will not delete it"), check=_thesis_kept),
    Case("hostile-store-symlink", "a run folder whose store is a symlink to another file", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": TWO_DOCS, "victim.txt": "precious\n"}, setup=_store_is_link,
         expect=("runs/bad/summaries/lead.jsonl: is a symbolic link",), check=_victim_file_intact),
    Case("hostile-store-folder-symlink", "a run folder whose summaries/ is a symlink elsewhere",
         ("run", "c.yaml", "--no-progress"), {"c.yaml": config(), "docs.jsonl": TWO_DOCS, "victim.txt": "precious\n"},
         setup=_store_folder_is_link, expect=("runs/bad/summaries: is a symbolic link, not a folder of the run",),
         check=_victim_file_intact),
    Case("hostile-run-folder-symlink", "a run folder that is a symlink elsewhere", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": TWO_DOCS, "victim.txt": "precious\n"}, setup=_run_folder_is_link,
         expect=("runs/bad: is a symbolic link",), check=_victim_file_intact),
    Case("hostile-store-fifo", "a run folder whose store is a FIFO (would hang the run)", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": TWO_DOCS}, setup=_store_is_fifo,
         expect=("runs/bad/summaries/lead.jsonl: is not a plain file",)),
    Case("hostile-manifest-fifo", "a run folder whose manifest.json is a FIFO", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": TWO_DOCS}, setup=_manifest_is_fifo,
         expect=("runs/bad/manifest.json: is a special file, not a file the toolkit wrote",)),
    Case("hostile-data-device", "a config whose data.path is /dev/zero (never ends)", ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(data={"path": "/dev/zero", "format": "jsonl"})},
         expect=("/dev/zero: is a device, not a file",), absent=("runs/bad/results.json",)),
    Case("hostile-output-dir-tilde", "output_dir: ~/runs (expanded as a shell would, no folder named ~)",
         ("run", "c.yaml", "--no-progress"), {"c.yaml": config(output_dir="~/runs"), "docs.jsonl": TWO_DOCS},
         env={"HOME": "{tmp}/home"}, rc=0, check=_tilde_expanded),
    Case("hostile-run-input-inside-run-folder", "run data stored inside the run folder it would rewrite",
         ("run", "c.yaml", "--fresh", "--no-progress"),
         {"c.yaml": config(data={"path": "runs/bad/scores.jsonl"}), "runs/bad/scores.jsonl": TWO_DOCS,
          "runs/bad/config.resolved.yaml": "name: bad\n"},
         expect=("data -> path: runs/bad/scores.jsonl is inside the run folder runs/bad", "move the file"),
         check=_run_input_kept),
    Case("hostile-file-name-not-utf8", "a text file whose name is not UTF-8 (its id could not be written)",
         ("summarize", "caf\udce9.txt", "-m", "lead-3", "-o", "out.jsonl", "--no-progress"),
         {"caf\udce9.txt": "One. Two. Three. Four.\n"}, rc=0, check=_id_replaced),
    Case("hostile-summarize-output-is-input", "summarize -o the input file",
         ("summarize", "docs.jsonl", "-m", "lead-3", "-o", "docs.jsonl", "--no-progress"), {"docs.jsonl": TWO_DOCS},
         expect=("docs.jsonl: -o is also INPUT", "choose another output path"), check=_docs_unchanged),
    Case("hostile-normalize-output-is-input", "normalize -o the input file (another spelling of it)",
         ("normalize", "-g", "g.tsv", "doc.txt", "-o", "./doc.txt"), {"g.tsv": GLOSSARY, "doc.txt": DOC},
         expect=("./doc.txt: -o is also INPUT",), check=_doc_unchanged),
    Case("hostile-normalize-edits-is-output", "normalize --edits equal to -o",
         ("normalize", "-g", "g.tsv", "doc.txt", "-o", "out.txt", "--edits", "out.txt"), {"g.tsv": GLOSSARY, "doc.txt": DOC},
         expect=("out.txt: --edits is also -o", "overwrite each other"), absent=("out.txt",)),
    Case("hostile-meta-output-is-input", "meta-evaluate --output the human scores file",
         ("meta-evaluate", "--human", "h.jsonl", "--metrics", "rouge1", "--output", "h.jsonl"),
         {"h.jsonl": '{"id": "1", "system": "s", "text": "a", "references": ["a"], "human": {"x": 1}}\n'},
         expect=("h.jsonl: --output is also --human",)),
    Case("hostile-report-output-is-results", "report --format csv -o the run's own results.json",
         ("report", "runs/bad", "--format", "csv", "-o", "runs/bad/results.json"),
         {"runs/bad/results.json": "{}\n"}, expect=("runs/bad/results.json: -o is also RUN_DIR/results.json",)),
    # no command from data
    Case("hostile-git-fsmonitor", "a project folder whose .git/config runs a command (core.fsmonitor)",
         ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": TWO_DOCS, ".git/HEAD": "ref: refs/heads/main\n",
          ".git/refs/heads/main": SHA + "\n", ".git/config": '[core]\n\tfsmonitor = "touch pwned"\n'},
         rc=0, check=_git_read_not_run),
    # resumes
    Case("hostile-temp-file-left", "a 900 KB temporary file left by a killed report write (removed on the next run)",
         ("run", "c.yaml", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": TWO_DOCS, "runs/bad/config.resolved.yaml": "name: bad\n",
          "runs/bad/.report.html.k2j4h1x0.tmp": "x" * 900_000}, rc=0, check=_temp_removed),
    # bounded resources
    Case("hostile-yaml-alias-config", "a 460-byte config of nested YAML aliases (billion laughs)", ("validate", "c.yaml"),
         {"c.yaml": LAUGHS_CONFIG}, expect=("c.yaml: invalid YAML at line 2", "aliases (*l0) are not allowed")),
    Case("hostile-yaml-alias-override", "a --set override with YAML aliases",
         ("validate", "c.yaml", "--set", "metrics=[&m rouge1, *m]"), {"c.yaml": config(), "docs.jsonl": TWO_DOCS},
         expect=("override 'metrics=[&m rouge1, *m]'", "aliases (*m) are not allowed")),
    Case("hostile-yaml-alias-glossary", "a YAML glossary of nested aliases (billion laughs)",
         ("align", "-g", "g.yaml", "doc.txt"), {"g.yaml": LAUGHS_GLOSSARY, "doc.txt": DOC},
         expect=("g.yaml:2: broken YAML (aliases (*l0) are not allowed",)),
    Case("hostile-terms-check-alias", "terms check on a YAML glossary of nested aliases (its per-item fallback too)",
         ("terms", "check", "-g", "g.yaml"), {"g.yaml": LAUGHS_GLOSSARY}, report=True,
         expect=("g.yaml:2: broken YAML (aliases (*l0) are not allowed",)),
    Case("hostile-terms-check-deep-json", "terms check on a JSON glossary nested 100,000 deep",
         ("terms", "check", "-g", "g.json"), {"g.json": "[" * 100_000 + "]" * 100_000}, report=True,
         expect=("g.json: JSON nested too deeply",)),
    Case("hostile-resamples-huge", "bootstrap.resamples: 10**12 (validate must not say ok)", ("validate", "c.yaml"),
         {"c.yaml": config(bootstrap={"resamples": 10**12, "seed": 1}), "docs.jsonl": TWO_DOCS},
         expect=("c.yaml: bootstrap -> resamples",)),
    Case("hostile-config-huge-int", "a 5,000-digit integer in a YAML config", ("validate", "c.yaml"),
         {"c.yaml": config()[:-1] + ', "limit": ' + "9" * 5_000 + "}"},
         expect=("c.yaml: invalid YAML: unreadable value (a number of more than 4,300 digits)",)),
    Case("hostile-config-deep", "a config nested 100,000 deep", ("validate", "c.yaml"), {"c.yaml": "[" * 100_000},
         expect=("c.yaml: invalid YAML at line 1: nested more than 100 levels deep (toolkit.limits.MAX_YAML_DEPTH)",)),
    Case("hostile-score-bootstrap-huge", "toolkit score --bootstrap 10**12",
         ("score", "--hyp", "h.txt", "--ref", "h.txt", "--bootstrap", str(10**12)), {"h.txt": "a b c\n"},
         expect=("resamples: at most 1,000,000",)),
    Case("hostile-variants-per-entry", "a glossary entry with 10,001 variants", ("align", "-g", "g.json", "doc.txt"),
         {"g.json": json.dumps([{"canonical": "Jin Xiangjun", "variants": [f"v{i}" for i in range(10_001)]}]),
          "doc.txt": DOC}, expect=("g.json: item 1", "10,001 variants and alternatives, more than the limit of 10,000")),
    Case("hostile-term-too-long", "a 5,000-character canonical term", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical\tvariants\n" + "ab" * 2_500 + "\tX\n", "doc.txt": DOC},
         expect=("g.tsv:2", "a term of 5,000 characters", "more than the limit of 1,000")),
    Case("hostile-tbx-deep", "a TBX note nested 5,000 elements deep", ("align", "-g", "g.tbx", "doc.txt"),
         {"g.tbx": DEEP_TBX, "doc.txt": DOC}, expect=("g.tbx: XML nested more than 100 elements deep (at <note>)",)),
    Case("hostile-json-deep", "a JSONL line nested 100,000 deep", ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": "[" * 100_000 + "\n"}, expect=("docs.jsonl:1: JSON nested too deeply",)),
    Case("hostile-json-huge-int", "a 5,000-digit integer in a JSONL line", ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": '{"id": ' + "9" * 5_000 + ', "text": "x"}\n'},
         expect=("docs.jsonl:1: unreadable JSON value (a number of more than 4,300 digits)",)),
    Case("hostile-lone-surrogate", "a lone surrogate escape in a JSONL text", ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": '{"id": "a", "text": "bad \\ud800 text"}\n'},
         expect=("docs.jsonl:1: a \\ud800-\\udfff escape that is not part of a surrogate pair is not text",)),
    Case("hostile-broken-override", "an override whose value is broken YAML", ("run", "c.yaml", "limit=[1", "--no-progress"),
         {"c.yaml": config(), "docs.jsonl": TWO_DOCS}, expect=("override 'limit=[1': the value is not valid YAML",),
         absent=("runs",)),
    Case("hostile-control-chars-in-id", "an id holding a newline and a terminal escape (no fake second line)",
         ("align", "-g", "g.tsv", "docs.jsonl"),
         {"g.tsv": GLOSSARY, "docs.jsonl": '{"id": "a\\n\\u001b[31merror: fake", "text": "x"}\n' * 2},
         expect=("docs.jsonl:2: duplicate id 'a\\n\\x1b[31merror: fake' (first on line 1)",)),
    Case("hostile-huge-value-in-message", "a 100,000-character config value (shortened in the message)",
         ("validate", "c.yaml"), {"c.yaml": config(limit="y" * 100_000)}, expect=("c.yaml: limit:", "(100000 characters)")),
    # glossary types
    Case("hostile-glossary-number", "a JSON glossary term that is a number", ("align", "-g", "g.json", "doc.txt"),
         {"g.json": '[{"canonical": "Jin Xiangjun", "variants": 42}]', "doc.txt": DOC},
         expect=("g.json: item 1", "'variants' must be text or a list of text, got a number (42)")),
    Case("hostile-glossary-null-true", "JSON glossary variants [null, true]", ("normalize", "-g", "g.json", "doc.txt"),
         {"g.json": '[{"canonical": "Jin Xiangjun", "variants": [null, true]}]', "doc.txt": DOC},
         expect=("'variants' must list text only, got null",)),
    Case("hostile-glossary-bool-canonical", "a JSON glossary canonical term that is true", ("align", "-g", "g.json", "doc.txt"),
         {"g.json": '[{"canonical": true}]', "doc.txt": DOC}, expect=("'canonical' must be text, got true/false (True)",)),
    Case("hostile-glossary-yaml-booleans", "YAML glossary terms NO and ON (YAML 1.1 booleans) stay text",
         ("align", "-g", "g.yaml", "doc.txt"),
         {"g.yaml": "- canonical: Norway\n  variants: [NO, Norge]\n", "doc.txt": "NO and Norge.\n"}, rc=0,
         check=_yaml_booleans_are_text),
    Case("hostile-glossary-duplicate-column", "a glossary header naming 'canonical' twice", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical\tvariants\tcanonical\nJin Xiangjun\tJinxiang Army\tOther\n", "doc.txt": DOC},
         expect=("g.tsv:1: column 'canonical' appears twice in the header (columns 1 and 3)",)),
    Case("hostile-glossary-duplicate-key", "a JSON glossary entry with 'canonical' twice", ("align", "-g", "g.json", "doc.txt"),
         {"g.json": '[{"canonical": "Jin Xiangjun", "canonical": "Other"}]', "doc.txt": DOC},
         expect=("g.json: key 'canonical' appears twice in one object",)),
    Case("hostile-glossary-zero-width-variant", "a variant that is only a zero-width space",
         ("normalize", "-g", "g.tsv", "doc.txt", "-o", "out.txt"),
         {"g.tsv": "canonical\tvariants\nJin Xiangjun\t\u200b\n", "doc.txt": DOC},
         expect=("g.tsv:2", "variant '\\u200b' has no visible characters (U+200B)"), absent=("out.txt",)),
    Case("hostile-glossary-escape-in-term", "a glossary term holding a terminal escape sequence",
         ("align", "-g", "g.json", "doc.txt"), {"g.json": '[{"canonical": "Jin\\u001b[2JXiangjun"}]', "doc.txt": DOC},
         expect=("canonical term 'Jin\\x1b[2JXiangjun' contains control characters (U+001B)",)),
    Case("hostile-glossary-bidi-variant", "a variant made only of bidi controls", ("align", "-g", "g.tsv", "doc.txt"),
         {"g.tsv": "canonical\tvariants\nJin Xiangjun\t\u202e\u2066\n", "doc.txt": DOC},
         expect=("variant '\\u202e\\u2066' has no visible characters (U+202E, U+2066)",)),
]
CASES += HOSTILE_CASES


@dataclass
class Outcome:
    rc: int
    out: str
    err: str
    seconds: float


def run_case(case: Case, folder: Path) -> Outcome:
    """Create the case's files in ``folder`` (the current folder) and run its command in-process."""
    from toolkit.cli import main

    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if case.setup is not None:
        case.setup(folder)
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    if case.stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(case.stdin), encoding="utf-8")
    saved_env = {name: os.environ.get(name) for name in case.env}
    os.environ.update({name: value.replace("{tmp}", str(folder)) for name, value in case.env.items()})
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(list(case.argv))
    finally:
        sys.stdin = stdin
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return Outcome(rc, out.getvalue(), err.getvalue(), time.perf_counter() - started)


def _params() -> list[object]:
    params = []
    for case in CASES:
        marks = []
        if case.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
        if case.slow:
            marks.append(pytest.mark.slow)
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def test_catalogue_has_at_least_40_cases_with_unique_ids():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", _params())
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if case.id == "device-cuda-on-cpu":
        torch = pytest.importorskip("torch")
        if torch.cuda.is_available():
            pytest.skip("this machine has CUDA")
    monkeypatch.chdir(tmp_path)
    before = time.perf_counter()
    outcome = run_case(case, tmp_path)
    assert outcome.rc == case.rc, outcome.err
    if case.rc != 0 and case.report:
        assert outcome.err == "" and "Traceback" not in outcome.out
        lines = outcome.out.splitlines()[:1]
        assert lines[0].startswith("error: ")
        for text in case.expect:
            assert text in lines[0], (text, lines[0])
    elif case.rc != 0:
        lines = outcome.err.splitlines()
        assert len(lines) == 1, outcome.err  # exactly one line: no traceback, no progress bar, no usage block
        assert lines[0].startswith("error: ")
        for text in case.expect:
            assert text in lines[0], (text, lines[0])
    assert "Traceback" not in outcome.err
    for name in case.absent:
        assert not (tmp_path / name).exists(), f"{name} was left behind"
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or p.name == ".write-test"]
    assert leftovers == [], leftovers  # no half-written temporary file from the atomic writer
    if case.check is not None:
        case.check(tmp_path, outcome.out)
    if case.id == "tbx-entity-bomb":
        assert time.perf_counter() - before < 5  # refused before any expansion


# --- beyond one command: --debug, Ctrl-C, disk full --------------------------------------------------

def test_debug_shows_the_traceback_and_without_it_there_is_none(tmp_path: Path) -> None:
    (tmp_path / "g.tsv").write_text("canonical\tvariants\nAlpha\tX\nBeta\tX\n", encoding="utf-8")
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "toolkit", "align", "-g", "g.tsv", "doc.txt"]
    plain = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    debug = subprocess.run([*cmd[:3], "--debug", *cmd[3:]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert plain.returncode == 1 and plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert "GlossaryError: g.tsv:3" in debug.stderr


def test_internal_error_is_one_line_unless_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from toolkit.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "g.tsv").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr("toolkit.terminology.align", broken)
    assert main(["align", "-g", "g.tsv", "doc.txt"]) == 1
    err = capsys.readouterr().err
    assert err == "error: internal error (ValueError: boom second line); rerun with --debug for the traceback and report it\n"
    with pytest.raises(ValueError):
        main(["--debug", "align", "-g", "g.tsv", "doc.txt"])


def _two_system_config(tmp_path: Path) -> Path:
    (tmp_path / "docs.jsonl").write_text(TWO_DOCS, encoding="utf-8")
    path = tmp_path / "c.yaml"
    path.write_text(config(systems=[{"name": "lead-3", "model": "lead-3"}, {"name": "lead-2", "model": "lead-2"}],
                           batch_size=1), encoding="utf-8")
    return path


def test_ctrl_c_in_process_exits_130_and_keeps_finished_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """Light variant of tests/test_runs.py::test_ctrl_c_saves_work_and_exits_130 (which sends a real SIGINT)."""
    import toolkit.runs.stages as stages
    from toolkit.cli import main

    monkeypatch.chdir(tmp_path)
    _two_system_config(tmp_path)
    original = stages.SummarizeTask.__call__
    calls = {"n": 0}

    def interrupted(self: object, batch: list) -> list:
        calls["n"] += 1
        if calls["n"] == 3:  # lead-3 finished (2 batches of 1), then Ctrl-C in lead-2's first batch
            raise KeyboardInterrupt
        return original(self, batch)

    monkeypatch.setattr(stages.SummarizeTask, "__call__", interrupted)
    assert main(["run", "c.yaml", "--no-progress"]) == 130
    assert capsys.readouterr().err == "error: interrupted; work done so far is saved\n"
    rows = (tmp_path / "runs/bad/summaries/lead-3.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(r)["id"] for r in rows] == ["a", "b"]
    assert not (tmp_path / "runs/bad/results.json").exists()

    monkeypatch.setattr(stages.SummarizeTask, "__call__", original)
    assert main(["run", "c.yaml", "--no-progress"]) == 0
    manifest = json.loads((tmp_path / "runs/bad/manifest.json").read_text(encoding="utf-8"))
    assert manifest["recomputed"]["summarise:lead-3"] == 0 and manifest["recomputed"]["summarise:lead-2"] == 2


def test_disk_full_in_the_run_store_keeps_earlier_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from toolkit.cli import main
    from toolkit.runs import store as store_module

    monkeypatch.chdir(tmp_path)
    _two_system_config(tmp_path)
    real_open = os.open

    def full_for_lead2(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith("lead-2.jsonl") and flags & os.O_APPEND:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(store_module.os, "open", full_for_lead2)
    assert main(["run", "c.yaml", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err == ("error: runs/bad/summaries/lead-2.jsonl: cannot write (No space left on device); "
                   "free disk space or choose another output_dir\n")
    saved = (tmp_path / "runs/bad/summaries/lead-3.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(r)["id"] for r in saved] == ["a", "b"]  # the first system's work is on disk
    monkeypatch.setattr(store_module.os, "open", real_open)
    assert main(["run", "c.yaml", "--no-progress"]) == 0  # space freed: resume recomputes only lead-2
    manifest = json.loads((tmp_path / "runs/bad/manifest.json").read_text(encoding="utf-8"))
    assert manifest["recomputed"]["summarise:lead-3"] == 0 and manifest["recomputed"]["summarise:lead-2"] == 2


def test_disk_full_in_the_atomic_writer_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import toolkit.io as tio
    from toolkit.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "g.tsv").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")
    (tmp_path / "out.txt").write_text("previous result\n", encoding="utf-8")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tio.os, "fsync", no_space)
    assert main(["normalize", "-g", "g.tsv", "doc.txt", "-o", "out.txt"]) == 1
    assert capsys.readouterr().err == (
        "error: out.txt: cannot write (No space left on device); free disk space or choose another folder, then run again\n"
    )
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "previous result\n"  # old file intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt", "g.tsv", "out.txt"]  # no temp file left


def test_library_sys_exit_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from toolkit.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "h.txt").write_text("a b c d\n", encoding="utf-8")

    def exits(*args: object, **kwargs: object) -> object:
        sys.exit(2)  # what sacreBLEU does from inside the library on some errors

    monkeypatch.setattr("toolkit.scoring.score", exits)
    assert main(["score", "--hyp", "h.txt", "--ref", "h.txt", "--bootstrap", "0"]) == 2
    assert capsys.readouterr().err == "error: a library stopped the program; rerun with --debug for the traceback and report it\n"


def test_unexpected_os_error_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from toolkit.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "g.tsv").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")

    def denied(*args: object, **kwargs: object) -> object:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), "g.tsv")

    monkeypatch.setattr("toolkit.terminology.load_glossary", denied)
    assert main(["align", "-g", "g.tsv", "doc.txt"]) == 1
    assert capsys.readouterr().err == (
        "error: g.tsv: Permission denied; free disk space or check permissions, then run again (--debug for details)\n"
    )


# --- hostile inputs beyond one command (issue 22) ---------------------------------------------------

def test_hostile_two_runs_on_one_folder_cannot_both_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    pytest.importorskip("fcntl")
    from toolkit.cli import main
    from toolkit.runs.rundir import locked_run_dir

    monkeypatch.chdir(tmp_path)
    _two_system_config(tmp_path)
    with locked_run_dir(tmp_path / "runs" / "bad", fresh=False):  # another run holds the folder
        assert main(["run", "c.yaml", "--no-progress"]) == 1
        assert capsys.readouterr().err == ("error: runs/bad: another `toolkit run` is using this folder now; wait for it "
                                           "to finish, or set another name or output_dir\n")
        assert main(["run", "c.yaml", "--fresh", "--no-progress"]) == 1  # --fresh must not empty it under the other run
    assert not (tmp_path / "runs" / "bad" / "results.json").exists()
    assert main(["run", "c.yaml", "--no-progress"]) == 0  # the lock went with its holder


def test_hostile_store_cut_inside_a_utf8_character_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.cli import main

    monkeypatch.chdir(tmp_path)
    docs = "".join(json.dumps({"id": i, "text": f"Lu’an said {i}. It rained. 金湘军 left.", "references": ["It rained."]},
                              ensure_ascii=False) + "\n" for i in "abc")
    (tmp_path / "docs.jsonl").write_text(docs, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(config(systems=[{"name": "lead", "model": "lead-2"}]), encoding="utf-8")
    assert main(["run", "c.yaml", "--no-progress"]) == 0
    store = tmp_path / "runs" / "bad" / "summaries" / "lead.jsonl"
    lines = store.read_bytes().split(b"\n")
    cut = lines[1].index("’".encode("utf-8")) + 1  # inside the 3 bytes of ’: not UTF-8 any more
    store.write_bytes(lines[0] + b"\n" + lines[1][:cut] + b"\n" + lines[2] + b"\n" + lines[2][:cut])  # and a torn tail
    assert main(["run", "c.yaml", "--no-progress"]) == 0  # was: internal error (UnicodeDecodeError), for good
    manifest = json.loads((tmp_path / "runs" / "bad" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["recomputed"]["summarise:lead"] == 1  # only document b, whose line was cut
    assert [json.loads(line)["id"] for line in store.read_text(encoding="utf-8").splitlines()] == ["a", "b", "c"]


def test_hostile_nothing_is_spawned_during_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.cli import main

    def no_process(*args: object, **kwargs: object) -> object:
        raise AssertionError(f"a process was started: {args[:1]}")

    monkeypatch.chdir(tmp_path)
    _two_system_config(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text(SHA + "\n", encoding="utf-8")  # a detached HEAD
    monkeypatch.setattr(subprocess, "Popen", no_process)
    monkeypatch.setattr(os, "posix_spawn", no_process, raising=False)
    monkeypatch.setattr(os, "fork", no_process, raising=False)
    monkeypatch.setattr(os, "system", no_process)
    assert main(["run", "c.yaml", "--no-progress"]) == 0
    assert json.loads((tmp_path / "runs/bad/manifest.json").read_text(encoding="utf-8"))["git_commit"] == SHA


def test_hostile_closed_stdout_pipe_exits_quietly(tmp_path: Path) -> None:
    (tmp_path / "g.tsv").write_text(GLOSSARY, encoding="utf-8")
    rows = "".join(json.dumps({"id": str(i), "text": "Jinxiang Army left. " * 20}) + "\n" for i in range(3_000))
    (tmp_path / "docs.jsonl").write_text(rows, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "align", "-g", "g.tsv", "docs.jsonl"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # what `| head -1` reads, then it closes the pipe
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 141  # 128 + SIGPIPE, as a program stopped by the pipe
    assert json.loads(first)["canonical"] == "Jin Xiangjun"
    assert err == ""  # was: "error: internal error (BrokenPipeError ...)"


def test_hostile_ctrl_c_swallowed_by_a_library_still_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import signal

    from toolkit.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "g.tsv").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")

    def swallowing(*args: object, **kwargs: object) -> list:
        try:  # a library that catches KeyboardInterrupt while loading (what made Ctrl-C exit 0)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            pass
        return []

    monkeypatch.setattr("toolkit.terminology.align", swallowing)
    # the CLI watches Ctrl-C only over Python's own handler; an earlier test (a Ray cluster) may have left its own
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert main(["align", "-g", "g.tsv", "doc.txt"]) == 130
        assert capsys.readouterr().err == "error: interrupted; work done so far is saved\n"
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back after the command
    finally:
        signal.signal(signal.SIGINT, previous)


def test_hostile_corrupt_model_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    transformers = pytest.importorskip("transformers")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    from toolkit.summarization import gguf_default

    key = "ab" * 32
    gguf_default.write_cache_atomically(
        key, lambda tmp: (tmp / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{trunc"),
        source="x.gguf", root=tmp_path)
    loads: list[str] = []

    class Fake:
        def to(self, dtype: object) -> "Fake":
            return self

        def save_pretrained(self, folder: Path, **kwargs: object) -> None:
            (Path(folder) / "model.safetensors").write_bytes(b"rebuilt")

    def model_from(folder: object, **kwargs: object) -> Fake:
        loads.append("gguf" if kwargs.get("gguf_file") else "cache")
        if not kwargs.get("gguf_file"):  # the real reader on the truncated file: SafetensorError
            safetensors_torch.load_file(str(Path(str(folder)) / "model.safetensors"))
        return Fake()

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", model_from)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", lambda *a, **k: Fake())
    monkeypatch.setattr(gguf_default, "strip_quantizer", lambda model: None)
    _, _, origin = gguf_default.load_gguf_cached(tmp_path / "x.gguf", key, dtype=None, root=tmp_path)
    assert (origin, loads) == ("gguf", ["cache", "gguf"])  # the bad cache was dropped and converted again
    assert (gguf_default.cache_dir_for(key, tmp_path) / "model.safetensors").read_bytes() == b"rebuilt"


def test_hostile_ray_address_where_nothing_listens_is_one_line_in_seconds() -> None:
    import socket

    from toolkit.errors import ConfigError
    from toolkit.runs.ray_executor import probe_ray_address

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConfigError) as info:
        probe_ray_address(f"127.0.0.1:{port}", "RAY_ADDRESS")
    assert str(info.value) == (f"RAY_ADDRESS '127.0.0.1:{port}': nothing answers at 127.0.0.1:{port} (Connection refused); "
                               "start the cluster there (ray start --head), unset RAY_ADDRESS, or use executor: local")
    probe_ray_address("auto", "ray.address")  # no host:port: left to Ray


def test_hostile_format_characters_inside_a_term_are_warned_about(tmp_path: Path) -> None:
    from toolkit.terminology import validate_glossary

    path = tmp_path / "g.tsv"
    path.write_text("canonical\tvariants\nJin Xiangjun\tJin\u200bXiangjun|Jinxiang\u00adArmy\n", encoding="utf-8")
    issues = validate_glossary(path)
    assert [(i.severity, i.line) for i in issues] == [("warning", 2), ("warning", 2)]
    assert "variant 'Jin\\u200bXiangjun' contains invisible format characters (U+200B)" in issues[0].message
    assert "(U+00AD)" in issues[1].message


def test_hostile_shown_values_are_short_and_one_line() -> None:
    from toolkit.errors import escape_controls, shown

    assert shown("a\nb\x1b[2J\u202e") == "'a\\nb\\x1b[2J\\u202e'"
    assert shown("z" * 10_000, limit=30) == "'" + "z" * 13 + "..." + "z" * 14 + "' (10000 characters)"
    assert shown(10 ** 5000) == "an integer of about 5000 digits"  # repr() of it would raise ValueError
    assert escape_controls("金湘军’s Lu’an") == "金湘军’s Lu’an"  # ordinary text is left alone


def test_hostile_catalogue_covers_every_class_of_issue_22() -> None:
    ids = {c.id for c in HOSTILE_CASES}
    for needed in ("run-name-absolute", "run-name-dotdot", "run-name-dot", "fresh-not-a-run", "store-symlink",
                   "output-dir-tilde", "summarize-output-is-input", "normalize-edits-is-output", "git-fsmonitor",
                   "temp-file-left", "yaml-alias-config", "yaml-alias-override", "yaml-alias-glossary", "resamples-huge",
                   "variants-per-entry", "term-too-long", "tbx-deep", "json-deep", "json-huge-int", "lone-surrogate",
                   "broken-override", "control-chars-in-id", "glossary-number", "glossary-null-true",
                   "glossary-yaml-booleans", "glossary-duplicate-column", "glossary-zero-width-variant",
                   "glossary-bidi-variant"):
        assert f"hostile-{needed}" in ids, needed


def test_hostile_git_commit_is_read_from_files_for_worktrees_and_never_waits(tmp_path: Path) -> None:
    from toolkit.runs.manifest import git_commit

    main_git = tmp_path / "main" / ".git"
    (main_git / "worktrees" / "wt").mkdir(parents=True)
    (main_git / "packed-refs").write_text(f"# pack-refs with: peeled\n{SHA} refs/heads/topic\n^{'f' * 40}\n",
                                          encoding="utf-8")
    (main_git / "worktrees" / "wt" / "HEAD").write_text("ref: refs/heads/topic\n", encoding="utf-8")
    (main_git / "worktrees" / "wt" / "commondir").write_text("../..\n", encoding="utf-8")
    (tmp_path / "wt" / "src").mkdir(parents=True)
    (tmp_path / "wt" / ".git").write_text("gitdir: ../main/.git/worktrees/wt\n", encoding="utf-8")
    assert git_commit(tmp_path / "wt" / "src") == SHA  # .git file -> worktree HEAD -> common packed-refs
    (main_git / "packed-refs").unlink()
    os.mkfifo(main_git / "packed-refs")  # opening it would wait for a writer forever
    assert git_commit(tmp_path / "wt") is None
    (main_git / "worktrees" / "wt" / "HEAD").write_text("ref: refs/heads/../../../../etc/passwd\n", encoding="utf-8")
    assert git_commit(tmp_path / "wt") is None  # a ref may not climb out of the repository
