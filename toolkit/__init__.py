"""toolkit: terminology, summarisation and scoring for MT and summarisation evaluation.

The public API, in the three parts and the run that chains them:

- terminology: :func:`load_glossary`, :func:`align`, :func:`normalize`, :func:`find_suspects`,
  :func:`generate_calques`, :func:`term_accuracy`
- summarisation: :func:`load_summarizer`, :func:`summarize`, :func:`list_models`
- scoring: :func:`score`, :func:`compare`, :func:`segment_units` (batched scoring), :func:`meta_evaluate`
- MT quality checks: :func:`qa_check` (:class:`Finding`, :class:`QAResult`)
- runs: :func:`load_config`, :func:`run`, :func:`write_report`, :func:`load_run` (a finished run, for notebooks)

Heavy libraries (torch, transformers, pandas) load only when a function needs them.
"""

from toolkit._version import __version__

from toolkit.errors import (
    ConfigError,
    GlossaryError,
    InputError,
    InputLengthError,
    ModelUnavailableError,
    RunDirError,
    ToolkitError,
    UnknownNameError,
    UnsafeModelError,
)
from toolkit.metaeval import MetaEvalResult, MetaItem, meta_evaluate
from toolkit.qa import Finding, QAResult, qa_check
from toolkit.runs.config import RunConfig, config_from_dict, load_config
from toolkit.runs.engine import RunResult, run
from toolkit.runs.report import write_report
from toolkit.runs.takeaway import LoadedRun, load_run
from toolkit.scoring import (
    Comparison,
    MetricResult,
    ScoreReport,
    available as available_metrics,
    compare,
    score,
    segment_units,
)
from toolkit.summarization import GenerationSettings, Summarizer, Summary, list_models, load_summarizer, summarize
from toolkit.terminology import (
    Edit,
    Glossary,
    Normalization,
    Suspect,
    TermAccuracy,
    TermMatch,
    align,
    find_suspects,
    generate_calques,
    load_glossary,
    normalize,
    term_accuracy,
    validate_glossary,
)

__all__ = [
    "Comparison",
    "ConfigError",
    "Edit",
    "Finding",
    "GenerationSettings",
    "Glossary",
    "GlossaryError",
    "InputError",
    "InputLengthError",
    "LoadedRun",
    "MetaEvalResult",
    "MetaItem",
    "MetricResult",
    "ModelUnavailableError",
    "Normalization",
    "QAResult",
    "RunConfig",
    "RunDirError",
    "RunResult",
    "ScoreReport",
    "Summarizer",
    "Summary",
    "Suspect",
    "TermAccuracy",
    "TermMatch",
    "ToolkitError",
    "UnknownNameError",
    "UnsafeModelError",
    "__version__",
    "align",
    "available_metrics",
    "compare",
    "config_from_dict",
    "find_suspects",
    "generate_calques",
    "list_models",
    "load_config",
    "load_glossary",
    "load_run",
    "load_summarizer",
    "meta_evaluate",
    "normalize",
    "qa_check",
    "run",
    "score",
    "segment_units",
    "summarize",
    "term_accuracy",
    "validate_glossary",
    "write_report",
]
