"""Safe parsing of untrusted JSON and YAML: one-line errors instead of crashes, no alias expansion.

JSON that is nested too deeply, holds a number Python refuses, or a lone surrogate escape becomes an
:class:`~toolkit.errors.InputError` naming where it is; YAML is read with a ``SafeLoader`` that refuses aliases
(no "billion laughs") and nesting past :data:`toolkit.limits.MAX_YAML_DEPTH`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from toolkit.errors import InputError

__all__ = ["has_lone_surrogate", "load_yaml", "loads_json", "yaml_loader"]


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def has_lone_surrogate(obj: Any) -> bool:
    """True when a string anywhere in ``obj`` (nested dicts and lists) holds a lone surrogate (not text).

    Example:
        >>> has_lone_surrogate({"id": ["ok", "\\ud800"]}), has_lone_surrogate({"id": "\\U0001f600"})
        (True, False)
    """
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _value_error(exc: ValueError) -> str:
    text = " ".join(str(exc).split())
    return "a number of more than 4,300 digits" if "integer string conversion" in text else text[:120]


def loads_json(
    text: str, where: str, *, whole_file: bool = False,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """Parse JSON text, turning every way it can fail into one :class:`InputError` naming ``where``.

    Besides syntax errors this covers nesting too deep for the parser, integers longer than Python
    converts (4,300 digits) and ``\\ud800``-style escapes of lone surrogates, which are not text.
    With ``whole_file``, a syntax error names its line too (``where:line``).

    Raises:
        InputError: ``where: ...`` with what is wrong and what to do.

    Example:
        >>> loads_json('{"id": "a"}', "docs.jsonl:1")
        {'id': 'a'}
        >>> loads_json("[" * 100_000, "docs.jsonl:2")
        Traceback (most recent call last):
        ...
        toolkit.errors.InputError: docs.jsonl:2: JSON nested too deeply for the parser; flatten this value
    """
    try:
        obj = json.loads(text, object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError as exc:
        at = f"{where}:{exc.lineno}" if whole_file else where
        raise InputError(f"{at}: broken JSON ({exc.msg}, column {exc.colno}); fix or remove this line") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply for the parser; flatten this value") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError(f"{where}: unreadable JSON value ({_value_error(exc)}); write such numbers as strings") from None
    if _SURROGATE_ESCAPE.search(text) and has_lone_surrogate(obj):
        raise InputError(f"{where}: a \\ud800-\\udfff escape that is not part of a surrogate pair is not text; "
                         "fix the escape or remove it")
    return obj


@functools.lru_cache(maxsize=None)
def yaml_loader() -> type:
    """The loader every YAML input goes through: ``yaml.SafeLoader`` (no Python tags) that refuses aliases.

    A few nested aliases (``*name``) can expand to gigabytes ("billion laughs"); no config or glossary needs them.
    Nesting deeper than :data:`toolkit.limits.MAX_YAML_DEPTH` is refused too.

    Example:
        >>> import yaml
        >>> yaml.load("a: [1, 2]", Loader=yaml_loader())
        {'a': [1, 2]}
    """
    import yaml

    from toolkit.limits import MAX_YAML_DEPTH

    class NoAliasSafeLoader(yaml.SafeLoader):
        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.events.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"aliases (*{event.anchor}) are not allowed; write the value out in full",
                    event.start_mark)
            if self._depth >= MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep (toolkit.limits.MAX_YAML_DEPTH); "
                    "flatten it", self.peek_event().start_mark)
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return NoAliasSafeLoader


def load_yaml(text: str) -> Any:
    """Parse YAML safely: no Python tags, no aliases, bounded nesting and number sizes.

    Raises:
        yaml.YAMLError: with ``problem`` (and ``problem_mark`` when the parser knows the line).

    Example:
        >>> load_yaml("name: demo\\nsystems: [{name: lead}]")
        {'name': 'demo', 'systems': [{'name': 'lead'}]}
        >>> import yaml
        >>> try:
        ...     load_yaml("a: &x [1]\\nb: *x")
        ... except yaml.YAMLError as exc:
        ...     print(exc.problem_mark.line + 1, exc.problem)
        2 aliases (*x) are not allowed; write the value out in full
    """
    import yaml

    try:
        return yaml.load(text, Loader=yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise yaml.YAMLError("nested too deeply for the parser; flatten it") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise yaml.YAMLError(f"unreadable value ({_value_error(exc)}); quote such numbers") from None
