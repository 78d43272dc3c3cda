"""Typed errors. Library code raises these; the CLI turns them into one stderr line and exit code 1.

Every message says *where* (file, line, key or field) and *what to do*.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

#: Longest user value (characters) quoted in a message; longer ones are cut in the middle.
SHOWN_MAX_CHARS = 80


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if ch == "\r":
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(text: str) -> str:
    """Escape what a terminal would not show as itself: controls (newline, ESC), bidi overrides, zero-width
    and other format characters, separators other than the space, lone surrogates; ``text`` prints as one line.

    Example:
        >>> escape_controls("a\\nerror: fake\\x1b[31m")
        'a\\\\nerror: fake\\\\x1b[31m'
        >>> escape_controls("Jin\\u200bXiangjun \\u202eabc"), escape_controls("金湘军’s")
        ('Jin\\\\u200bXiangjun \\\\u202eabc', '金湘军’s')
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape_char(ch) for ch in text)


def shown(value: Any, limit: int = SHOWN_MAX_CHARS) -> str:
    """A user value as it may appear in a message: one line, controls escaped, at most ``limit`` characters.

    Strings are quoted (``'x'``); other values use ``repr`` (long ones are never built in full: a huge
    container is described by its type and size).

    Example:
        >>> shown("Jin Xiangjun")
        "'Jin Xiangjun'"
        >>> shown("id\\n\\x1b[2J")
        "'id\\\\n\\\\x1b[2J'"
        >>> shown("x" * 1000, limit=20)
        "'xxxxxxxx...xxxxxxxxx' (1000 characters)"
        >>> shown(list(range(10**6)))
        'a list of 1000000 items'
    """
    if isinstance(value, str):
        text = escape_controls(value)
        if len(text) > limit:
            half = max(1, (limit - 3) // 2)
            return f"'{text[:half]}...{text[-(limit - 3 - half):]}' ({len(value)} characters)"
        return f"'{text}'"
    if isinstance(value, (list, tuple, dict, set)) and len(value) > 20:
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    text = escape_controls(repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose.

    Catch it to handle every expected failure in one place; anything else is a bug.

    Example:
        >>> try:
        ...     raise GlossaryError("glossary.tsv:3: empty canonical form; fill the 'canonical' column")
        ... except ToolkitError as exc:
        ...     print(type(exc).__name__, exc.exit_code, exc)
        GlossaryError 1 glossary.tsv:3: empty canonical form; fill the 'canonical' column

    Errors pickle with their fields (``ConfigError.problems``, ``UnknownNameError.available``...), so an error
    raised in a worker process (a Ray actor) arrives whole:

        >>> import pickle
        >>> err = pickle.loads(pickle.dumps(UnknownNameError("metric", "blue", ["bleu", "chrf"])))
        >>> type(err).__name__, err.available, str(err) == str(UnknownNameError("metric", "blue", ["bleu", "chrf"]))
        ('UnknownNameError', ['bleu', 'chrf'], True)
    """

    exit_code = 1

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other constructor arguments than their message: rebuild from the message and fields.
        return (_rebuild_error, (type(self), self.args, dict(self.__dict__)))


def _rebuild_error(kind: type, args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    """Unpickle a :class:`ToolkitError`: its message arguments and its fields, without calling ``__init__``."""
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigError(ToolkitError):
    """A run configuration is invalid; the message lists every problem with its key path.

    Example:
        >>> err = ConfigError(["bootstrap -> resamples: must be > 0 (got 0)", "metrics[2]: unknown 'blue'"], "run.yaml")
        >>> str(err)
        "run.yaml: bootstrap -> resamples: must be > 0 (got 0); metrics[2]: unknown 'blue'"
        >>> len(err.problems)
        2
    """

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(self.problems))


class InputError(ToolkitError):
    """An input file or value is unusable (encoding, format, missing field, ...).

    Example:
        >>> from toolkit import load_summarizer
        >>> try:
        ...     load_summarizer("lead-3").summarize(["One. Two.", " "])
        ... except InputError as exc:
        ...     print(isinstance(exc, ToolkitError), exc)
        True texts[1]: empty document; remove it or give it some text
    """


class GlossaryError(InputError):
    """A glossary file is invalid.

    Example:
        >>> from toolkit import load_glossary
        >>> try:
        ...     load_glossary("no-such-glossary.tsv")
        ... except GlossaryError as exc:
        ...     print(isinstance(exc, InputError), exc)
        True no-such-glossary.tsv: glossary file not found; check the path
    """


class InputLengthError(InputError):
    """Predictions and references (or sources) have different counts.

    Example:
        >>> isinstance(InputLengthError("120 predictions but 119 references"), InputError)
        True
    """


class ModelUnavailableError(ToolkitError):
    """A model cannot be loaded here (not installed, not cached offline, unsafe weights).

    Example:
        >>> err = ModelUnavailableError("model 'org/x' is not available (not in the local HF cache and "
        ...                             "HF_HUB_OFFLINE is set); run `hf download org/x` with network access")
        >>> isinstance(err, ToolkitError), err.exit_code
        (True, 1)
    """


class UnsafeModelError(ModelUnavailableError):
    """Loading would execute code or unpickle data, and the user did not opt in.

    Example:
        >>> try:
        ...     raise UnsafeModelError("model 'org/x' needs its own code to load; pass trust_remote_code=True "
        ...                            "(--trust-remote-code) only if you trust its authors")
        ... except ModelUnavailableError as exc:  # one handler covers every model that cannot be loaded
        ...     print(type(exc).__name__, isinstance(exc, ToolkitError))
        UnsafeModelError True
    """


class RunDirError(ToolkitError):
    """A run folder is unusable (not writable, or made by an incompatible config).

    Example:
        >>> from toolkit import write_report
        >>> try:
        ...     write_report("no-such-run")
        ... except RunDirError as exc:
        ...     print(isinstance(exc, ToolkitError), exc)
        True no-such-run: not a folder; give the run folder (runs/<name>/) that `toolkit run` wrote
    """


class UnknownNameError(ToolkitError, KeyError):
    """A registry lookup missed; the message suggests close names and lists the available ones.

    Example:
        >>> print(UnknownNameError("metric", "rouge_l", ["bleu", "chrf", "rougeL"]))
        metric 'rouge_l' not found. Did you mean 'rougeL'? Available: bleu, chrf, rougeL
    """

    def __init__(self, kind: str, name: str, available: Iterable[str]) -> None:
        names = sorted(available)
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        self.kind, self.name, self.available = kind, name, names
        message = f"{kind} '{name}' not found.{hint} Available: {', '.join(names)}"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])
