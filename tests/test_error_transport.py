"""ToolkitError subclasses keep their fields through pickling and through the Ray executor's error transport."""

from __future__ import annotations

import pickle

import pytest

from toolkit.errors import ConfigError, GlossaryError, InputLengthError, ToolkitError, UnknownNameError

ERRORS = [
    ConfigError(["bootstrap -> resamples: must be >= 1 (got 0)", "metrics[1]: unknown 'blue'"], "run.yaml"),
    UnknownNameError("metric", "blue", ["bleu", "chrf"]),
    GlossaryError("glossary.tsv:3: empty canonical form; fill the 'canonical' column"),
    InputLengthError("3 predictions but 2 references"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_pickle_keeps_class_message_and_fields(error: ToolkitError) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error) and back.__dict__ == error.__dict__


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_an_actors_error_reaches_the_driver_whole(error: ToolkitError) -> None:
    pytest.importorskip("ray")
    from toolkit.runs.ray_executor import _describe_error, _raise_task_error

    with pytest.raises(type(error)) as info:
        _raise_task_error(_describe_error(error))
    assert str(info.value) == str(error) and info.value.__dict__ == error.__dict__
    if isinstance(error, ConfigError):
        assert info.value.problems == error.problems and info.value.source == "run.yaml"
    if isinstance(error, UnknownNameError):
        assert info.value.available == ["bleu", "chrf"]


def test_other_errors_become_one_runtime_error_with_the_actor_traceback() -> None:
    pytest.importorskip("ray")
    from toolkit.runs.ray_executor import _describe_error, _raise_task_error

    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as exc:
        text = _describe_error(exc)
    with pytest.raises(RuntimeError, match="ZeroDivisionError: division by zero") as info:
        _raise_task_error(text)
    assert "Traceback" in info.value.__notes__[0]
