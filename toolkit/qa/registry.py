"""The registry of QA checks: one plain dict from versioned name to :class:`~toolkit.qa.base.Check`.

A name is looked up whole (``qa.numbers.v1``) or short (``numbers``, the current version); a miss raises
:class:`~toolkit.errors.UnknownNameError` with close names.
"""

from __future__ import annotations

from toolkit.errors import UnknownNameError
from toolkit.qa import consistency, length, names, numeric, punctuation, repetition, script
from toolkit.qa.base import Check


def _build(*checks: Check) -> dict[str, Check]:
    out: dict[str, Check] = {}
    for check in checks:
        if check.name in out:
            raise ValueError(f"duplicate QA check name {check.name!r}")
        out[check.name] = check
    return out


#: Every check, in report order.
CHECKS: dict[str, Check] = _build(
    script.CHECK,
    numeric.CHECK,
    punctuation.CHECK,
    punctuation.QUOTES_CHECK,
    repetition.CHECK,
    consistency.CHECK,
    names.CHECK,
    length.CHECK,
)
_SHORT = {c.short_name: c.name for c in CHECKS.values()}


def get_check(name: str) -> Check:
    """The check of a full (``qa.numbers.v1``) or short (``numbers``) name.

    Raises:
        UnknownNameError: no such check; the message names close matches and every check.

    Example:
        >>> get_check("numbers").name, get_check("qa.quotes.v1").level
        ('qa.numbers.v1', 'document')
    """
    if name in CHECKS:
        return CHECKS[name]
    if name in _SHORT:
        return CHECKS[_SHORT[name]]
    raise UnknownNameError("QA check", name, [*CHECKS, *_SHORT])


def available_checks() -> list[str]:
    """The versioned names of every check, in report order.

    Example:
        >>> available_checks()[:2]
        ['qa.script.v1', 'qa.numbers.v1']
    """
    return list(CHECKS)
