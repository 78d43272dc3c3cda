"""``ScoringSettings``: every setting that changes a score, declared once with its default, choices and help.

The CLI options of ``toolkit score``, ``compare`` and ``meta-evaluate``, the run config's ``scoring`` and
``bootstrap`` sections and the library functions (``score``, ``compare``, ``segment_units``, meta-evaluation)
are all built from :data:`SETTINGS` and the dataclass below, so a default can only differ between entry points
if this file says so. The canonical form (:meth:`ScoringSettings.canonical`) is what signatures are made of.

P-values: ``p_value="standard"`` (the default) counts resampled differences *at least* as extreme as the
observed one (ties included), so two identical systems get p = 1. ``p_value="sacrebleu"`` reproduces
``sacrebleu --paired-bs`` / ``--paired-ar`` to the digit, including their ``>`` that gives identical systems
p = 1/(N+1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from toolkit._version import __version__

ROUGE_MODES = ("rouge-score", "rouge155", "unicode")
MULTI_REF_RULES = ("best", "average")
LSUM_SPLITS = ("newline", "builtin")
TERM_PROTOCOLS = ("glossary", "glossary-occurrence", "wmt21", "wmt25")
TEST_METHODS = ("bootstrap", "ar")
P_VALUE_RULES = ("standard", "sacrebleu")

#: Resamples of a bootstrap CI or a paired bootstrap test, and trials of approximate randomisation, when the
#: ``resamples`` setting is left unset.
DEFAULT_RESAMPLES = {"bootstrap": 1000, "ar": 10000}
#: The most resamples (or trials) accepted: 10**6 over 100k segments already takes minutes.
MAX_RESAMPLES = 1_000_000  # also the maximum of the ``resamples`` spec below


@dataclass(frozen=True)
class SettingSpec:
    """How one field of :class:`ScoringSettings` appears at each entry point.

    Attributes:
        name: the dataclass field (also the library keyword).
        help: one line for ``--help`` and the README.
        flags: CLI flags (the first is the main one).
        section: run-config section (``scoring`` or ``bootstrap``).
        key: key in that section.
        choices: allowed values (None: any value of the field's type).
        metric: True for settings of the metrics themselves; False for resampling (CIs and paired tests),
            which meta-evaluation sets on its own.
        kind: the value's type (``str``, ``bool`` or ``int``).
        minimum, maximum: bounds of an ``int`` setting.
    """

    name: str
    help: str
    flags: tuple[str, ...]
    section: str
    key: str
    choices: tuple[str, ...] | None = None
    metric: bool = True
    kind: type = str
    minimum: int | None = None
    maximum: int | None = None


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("rouge_mode", "ROUGE implementation: rouge-score (Google's package), rouge155 (the Perl script) or unicode.",
                ("--rouge-mode",), "scoring", "rouge_mode", ROUGE_MODES),
    SettingSpec("stem", "Porter stemming for ROUGE.", ("--stem",), "scoring", "stem", kind=bool),
    SettingSpec("multi_ref", "Several references in ROUGE and minilm-cosine: best or average (unset: average in "
                "rouge155 mode, as ROUGE-1.5.5 -f A; best otherwise).", ("--multi-ref",), "scoring", "multi_ref",
                MULTI_REF_RULES),
    SettingSpec("lsum_split", "How rougeLsum (and rouge155 ROUGE-L) split sentences: newline or builtin.",
                ("--lsum-split",), "scoring", "lsum_split", LSUM_SPLITS),
    SettingSpec("target_lang", "Target language code; picks the BLEU tokenizer (zh -> zh).", ("--target-lang",),
                "scoring", "target_lang"),
    SettingSpec("term_protocol", "Term accuracy protocol: glossary (ours; glossary-occurrence counts every occurrence "
                "of a term, not each entry once per segment), wmt21 or wmt25 (the shared tasks' official measures).",
                ("--term-protocol",), "scoring", "term_protocol", TERM_PROTOCOLS),
    SettingSpec("resamples", "Bootstrap resamples for 95% CIs and paired bootstrap, or AR trials (unset: 1000 for "
                "bootstrap, 10000 for ar; 0 turns CIs off).", ("--resamples", "--bootstrap"), "bootstrap", "resamples",
                metric=False, kind=int, minimum=0, maximum=1_000_000),
    SettingSpec("seed", "Seed of every resampling.", ("--seed",), "bootstrap", "seed", metric=False, kind=int,
                minimum=0),
    SettingSpec("method", "Paired test: bootstrap (paired bootstrap resampling) or ar (approximate randomisation).",
                ("--method",), "bootstrap", "method", TEST_METHODS, metric=False),
    SettingSpec("p_value", "P-value rule: standard (ties count as extreme: identical systems get p = 1) or sacrebleu "
                "(reproduces sacrebleu --paired-bs/--paired-ar, p = 1/(N+1) for identical systems).",
                ("--p-value",), "bootstrap", "p_value", P_VALUE_RULES, metric=False),
)
SPECS: Mapping[str, SettingSpec] = {spec.name: spec for spec in SETTINGS}


@dataclass(frozen=True)
class ScoringSettings:
    """Every setting that changes a score; each one appears in the signatures it affects.

    ``multi_ref`` and ``resamples`` may be left unset (None): :attr:`multi_ref_rule` and
    :meth:`samples` give the values they stand for.

    Example:
        >>> s = ScoringSettings(rouge_mode="rouge155")
        >>> s.multi_ref_rule, s.samples("bootstrap"), s.samples("ar"), s.problems()
        ('average', 1000, 10000, [])
        >>> ScoringSettings.build(s, stem=True, seed=None).canonical()
        'rouge:rouge155|stem:1|multiref:average|lsum:newline|lang:en|terms:glossary|resamples:auto|rs:12345|test:bootstrap|p:standard'
    """

    rouge_mode: str = "rouge-score"
    stem: bool = False
    multi_ref: str | None = None
    lsum_split: str = "newline"
    target_lang: str = "en"
    term_protocol: str = "glossary"
    resamples: int | None = None
    seed: int = 12345
    method: str = "bootstrap"
    p_value: str = "standard"

    @classmethod
    def build(cls, base: ScoringSettings | None = None, **given: Any) -> ScoringSettings:
        """``base`` (or the defaults) with every given value that is not None put in.

        This is how entry points with optional keywords (the library functions, the CLI) build the settings:
        an option left out keeps the default declared here.
        """
        unknown = sorted(set(given) - set(SPECS))
        if unknown:
            raise TypeError(f"unknown scoring setting(s): {', '.join(unknown)}; known: {', '.join(SPECS)}")
        values = {k: v for k, v in given.items() if v is not None}
        return replace(base or cls(), **values)

    @property
    def multi_ref_rule(self) -> str:
        """The multi-reference rule in force: as set, or the mode's own (``average`` for rouge155, else ``best``)."""
        if self.multi_ref is not None:
            return self.multi_ref
        return "average" if self.rouge_mode == "rouge155" else "best"

    def samples(self, method: str | None = None) -> int:
        """Resamples (bootstrap) or trials (``ar``) in force for ``method`` (default: the ``method`` setting)."""
        if self.resamples is not None:
            return self.resamples
        return DEFAULT_RESAMPLES[method or self.method]

    @property
    def ci_resamples(self) -> int:
        """Bootstrap resamples of a confidence interval (0: no interval)."""
        return self.samples("bootstrap")

    def problems(self, *, paired: bool = False) -> list[str]:
        """Every invalid value, each naming its setting and the allowed values (empty when all are valid).

        Args:
            paired: also require what a paired test needs (at least one resample).
        """
        out: list[str] = []
        for spec in SETTINGS:
            value = getattr(self, spec.name)
            if spec.choices is not None and value is not None and value not in spec.choices:
                out.append(f"{spec.name}: {value!r} is not one of {', '.join(spec.choices)}")
        for name in ("stem",):
            if not isinstance(getattr(self, name), bool):
                out.append(f"{name}: expected true or false (got {getattr(self, name)!r})")
        if not isinstance(self.target_lang, str) or not self.target_lang:
            out.append(f"target_lang: expected a language code such as en or zh (got {self.target_lang!r})")
        if self.resamples is not None:
            if isinstance(self.resamples, bool) or not isinstance(self.resamples, int):
                out.append(f"resamples: expected a whole number (got {self.resamples!r})")
            elif self.resamples < (1 if paired else 0):
                out.append(f"resamples: must be >= {1 if paired else 0} (got {self.resamples})")
            elif self.resamples > MAX_RESAMPLES:
                out.append(f"resamples: at most {MAX_RESAMPLES:,} (got {self.resamples:,}); intervals are stable long before")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            out.append(f"seed: expected a whole number >= 0 (got {self.seed!r})")
        return out

    def canonical(self) -> str:
        """Every setting in one fixed order: the part of signatures that names the settings.

        Unset values print as ``auto``; rules in force are in :attr:`multi_ref_rule` and :meth:`samples`.
        """
        return (
            f"rouge:{self.rouge_mode}|stem:{int(self.stem)}|multiref:{self.multi_ref_rule}|lsum:{self.lsum_split}"
            f"|lang:{self.target_lang}|terms:{self.term_protocol}"
            f"|resamples:{'auto' if self.resamples is None else self.resamples}|rs:{self.seed}"
            f"|test:{self.method}|p:{self.p_value}"
        )

    def ci_tag(self) -> str:
        """Signature part of a bootstrap interval (empty when intervals are off).

        Example:
            >>> ScoringSettings().ci_tag(), ScoringSettings(p_value="sacrebleu", resamples=200).ci_tag()
            ('bs:1000|rs:12345|', 'bs:200|rs:12345|compat:sacrebleu|')
        """
        n = self.ci_resamples
        # under the sacrebleu rule the resampled sums of sacreBLEU metrics keep its float32 rounding
        compat = "compat:sacrebleu|" if self.p_value == "sacrebleu" else ""
        return f"bs:{n}|rs:{self.seed}|{compat}" if n > 0 else ""

    def test_tag(self) -> str:
        """Signature part of a paired test: the test, its sample count, seed and p-value rule."""
        tag = "bs" if self.method == "bootstrap" else "ar"
        return f"test:{self.method}|{tag}:{self.samples()}|rs:{self.seed}|p:{self.p_value}|"

    def metric_part(self) -> ScoringSettings:
        """The settings with the resampling ones at their defaults (what meta-evaluation takes from the user)."""
        defaults = ScoringSettings()
        return replace(self, **{s.name: getattr(defaults, s.name) for s in SETTINGS if not s.metric})

    def metric_options(self) -> dict[str, Any]:
        """The metric settings as keywords (what ``segment_units`` takes; JSON-ready, for tasks and keys)."""
        return {spec.name: getattr(self, spec.name) for spec in SETTINGS if spec.metric}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form, unset values as ``None`` (round-trips through ``ScoringSettings(**d)``)."""
        return asdict(self)

    def section(self, name: str) -> dict[str, Any]:
        """The values of one run-config section (``scoring`` or ``bootstrap``), keyed as the config keys them."""
        return {spec.key: getattr(self, spec.name) for spec in SETTINGS if spec.section == name}

    @classmethod
    def from_sections(cls, sections: Mapping[str, Mapping[str, Any]]) -> ScoringSettings:
        """Settings from run-config sections (``{"scoring": {...}, "bootstrap": {...}}``)."""
        values: dict[str, Any] = {}
        for spec in SETTINGS:
            block = sections.get(spec.section) or {}
            if spec.key in block:
                values[spec.name] = block[spec.key]
        return cls(**values)


def default_of(name: str) -> Any:
    """The default of a setting, as the dataclass declares it.

    Example:
        >>> default_of("rouge_mode"), default_of("multi_ref")
        ('rouge-score', None)
    """
    for f in fields(ScoringSettings):
        if f.name == name:
            return f.default
    raise KeyError(name)


def full_signature(base: str, tail: str) -> str:
    """A metric's signature: its own part, then the resampling tail (:meth:`ScoringSettings.ci_tag` or
    :meth:`ScoringSettings.test_tag`), then the toolkit version.

    Example:
        >>> full_signature("bleu|tok:13a", ScoringSettings().ci_tag()).startswith("bleu|tok:13a|bs:1000|rs:12345|toolkit:")
        True
    """
    return f"{base}|{tail}toolkit:{__version__}"
