"""The optional NLI scorer (SummaC-style) with a tiny random BERT built here: plumbing, batching, errors.

No download: the model and a 40-word WordPiece vocabulary are written to a temporary folder.
"""

from __future__ import annotations

import json

import pytest

from toolkit.cli.app import main
from toolkit.errors import ConfigError, ModelUnavailableError
from toolkit.scoring.faith_findings import find_unsupported

WORDS = ("the a cat dog sat ran on mat in park it was warm cold today . , paris berlin merkel met people "
         "three hundred aliens landed mars and of to is big small red blue").split()


def _tiny_nli(folder, labels=("entailment", "neutral", "contradiction")):
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    folder.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=32, max_position_embeddings=128, num_labels=len(labels),
                                     id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    torch.manual_seed(0)
    transformers.BertForSequenceClassification(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def nli_folder(tmp_path_factory):
    return _tiny_nli(tmp_path_factory.mktemp("nli") / "tiny-nli")


SUMMARIES = ["The cat sat on the mat. Aliens landed on Mars.", "Merkel met three hundred people in Paris."]
SOURCES = ["The cat sat on the mat. It was warm today. A dog ran in the park.", "Merkel met people in Berlin."]


def test_batch_size_does_not_change_scores(nli_folder):
    from toolkit.scoring.nli_support import NLIScorer

    one, many = NLIScorer(nli_folder, batch_size=1), NLIScorer(nli_folder, batch_size=5)
    a, b = one.scores(SUMMARIES, SOURCES), many.scores(SUMMARIES, SOURCES)
    assert a == pytest.approx(b, abs=1e-6) and all(-1.0 <= x <= 1.0 for x in a)
    rows = one.align(list(zip(SUMMARIES, SOURCES)))
    assert [len(r) for r in rows] == [2, 1]  # one row per summary sentence
    first = rows[0][0]
    # the evidence is the source sentence with the best p(e) - p(c); its span points into the source
    assert SOURCES[0][first.evidence_start:first.evidence_end] == first.evidence
    probs = one.probabilities([(first.evidence, first.text)])[0]
    assert first.support == pytest.approx(probs[0]) and first.cosine == pytest.approx(probs[0] - probs[1])
    assert one.signature.startswith("nli_support.v1|model:tiny-nli")


def test_findings_and_cli_with_the_nli_model(nli_folder, tmp_path, capsys):
    from toolkit.scoring.nli_support import NLIScorer

    found = find_unsupported(predictions=SUMMARIES, sources=SOURCES, nli=NLIScorer(nli_folder), threshold=1.0)
    sentences = [f for doc in found for f in doc if f.kind == "sentence"]
    assert len(sentences) == 3  # threshold 1: every sentence of a random model is below it
    hyp, src = tmp_path / "h.txt", tmp_path / "s.txt"
    hyp.write_text("\n".join(SUMMARIES) + "\n")
    src.write_text("\n".join(SOURCES) + "\n")
    assert main(["faithfulness", "--hyp", str(hyp), "--source", str(src), "--nli-model", str(nli_folder),
                 "--nli-batch-size", "3", "--threshold", "1"]) == 0
    out = capsys.readouterr().out
    assert "nli (e-c)" in out and "sentence" in out
    assert main(["faithfulness", "--hyp", str(hyp), "--source", str(src), "--nli-model", str(nli_folder),
                 "--format", "jsonl", "--threshold", "1"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sum(r["kind"] == "sentence" for r in rows) == 3


def test_bad_nli_folders_are_clear_errors(tmp_path):
    from toolkit.scoring.nli_support import NLIScorer

    with pytest.raises(ModelUnavailableError, match="has no config.json"):
        NLIScorer(tmp_path)
    no_entail = _tiny_nli(tmp_path / "sentiment", labels=("negative", "positive"))
    with pytest.raises(ConfigError, match="name no entailment class"):
        NLIScorer(no_entail)
    for weights in no_entail.glob("*.safetensors"):
        weights.unlink()
    with pytest.raises(ModelUnavailableError, match="no .safetensors weights"):
        NLIScorer(no_entail)
