"""Build eval/dev/news.jsonl ({id, text, references}) from the development sample in shared/data/summarization.

Run from the repository root: python eval/dev/build_dev_set.py [SHARED_DATA_DIR]
Sources and licences: see eval/dev/README.md (evaluation data for research use; never shipped in the package).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "summarization"
    rows = []
    for doc in load(shared / "xsum_sample.jsonl"):
        rows.append({"id": doc["id"], "text": doc["document"], "references": doc["references"], "corpus": "xsum"})
    for doc in load(shared / "bbc_news_summary.jsonl"):
        rows.append({"id": doc["id"], "text": doc["document"], "references": doc["references"], "corpus": "bbc"})
    for doc in load(shared / "summeval_documents.jsonl"):
        rows.append({"id": doc["id"], "text": doc["document"], "references": doc["references"], "corpus": "summeval"})
    for doc in load(shared / "newsroom_humaneval.jsonl"):
        rows.append({"id": f"newsroom-{doc['id']}", "text": doc["document"], "references": doc["references"], "corpus": "newsroom"})
    for doc in load(shared / "realsumm.jsonl"):
        rows.append({"id": f"realsumm-{doc['id']}", "text": doc["document"],
                     "references": ["\n".join(doc["reference_sentences"])], "corpus": "realsumm"})
    out = Path("eval/dev/news.jsonl")
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} documents to {out}")


if __name__ == "__main__":
    main()
