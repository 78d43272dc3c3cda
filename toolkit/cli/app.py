"""The ``toolkit`` command: builds the typer app from one module per part and maps errors to exit codes.

Exit codes: 0 success, 1 input or runtime error (one line on stderr), 2 usage error (one line too, with the
``--help`` to read), 130 interrupted, 141 stdout closed by its reader (nothing printed). An OS error (disk full, permission denied), a library's ``sys.exit`` and
an unexpected exception (a bug) are also one ``error:`` line; ``--debug`` shows the full traceback instead.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

import typer

from toolkit.errors import ToolkitError, escape_controls

app = typer.Typer(
    name="toolkit",
    help="Terminology, summarisation and scoring for MT and summarisation evaluation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": False, "interrupted": False}


def _print_version(value: bool) -> None:
    if value:
        from toolkit._version import __version__

        typer.echo(f"toolkit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _global_options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the toolkit's version and exit."
    ),
) -> None:
    _state["debug"] = debug


def _register_commands() -> None:
    # Each module adds its subcommands; imports stay light (no torch) until a command runs.
    from toolkit.cli import faith_cmds, meta_cmds, qa_cmds, run_cmds, score_cmds, summarize_cmds, terms_cmds

    for module in (terms_cmds, summarize_cmds, score_cmds, run_cmds, meta_cmds, qa_cmds, faith_cmds):
        module.register(app)


_register_commands()


_MAX_ERROR_CHARS = 2000


def _error(message: str) -> None:
    text = escape_controls(message)  # one line, whatever a value held
    if len(text) > _MAX_ERROR_CHARS:  # keep the start (where) and the end (what to do)
        text = f"{text[:1400]} [... {len(text) - 1900} characters ...] {text[-500:]}"
    typer.echo(f"error: {text}", err=True)


def _stdout_closed() -> int:
    """The reader of stdout went away (``toolkit align ... | head -1``): stop quietly, as ``cat`` does."""
    try:  # later writes (and the flush at exit) go nowhere instead of raising again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except Exception:  # noqa: BLE001 - stdout without a file descriptor (a test's StringIO): nothing to redirect
        pass
    return 141  # 128 + SIGPIPE, the status of a program stopped by a closed pipe


def _on_sigint(signum: int, frame: object) -> None:
    _state["interrupted"] = True  # remembered even if a library swallows the KeyboardInterrupt
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Ctrl-C always ends in exit code 130, even when a library caught the ``KeyboardInterrupt``; a closed
    stdout pipe ends quietly with 141.
    """
    _state["interrupted"] = False
    watch = threading.current_thread() is threading.main_thread() and \
        signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if watch:
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        code = _main(argv)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            code = _stdout_closed()
    except BrokenPipeError:
        code = _stdout_closed()
    finally:
        if watch:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    if _state["interrupted"] and code != 130:
        _error("interrupted; work done so far is saved")
        code = 130
    return code


def _usage_message(exc: Exception) -> str:
    """Click's usage error as one line: the problem, then where to read about the command."""
    format_message = getattr(exc, "format_message", None)
    message = " ".join((format_message() if format_message else str(exc)).split())
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "toolkit"
    return f"{message.rstrip('.')}; see '{command} --help'"


def _quiet_libraries() -> None:
    # Our own progress bars report the work; transformers' weight-loading bars and advisory warnings
    # (e.g. the tokenizer's "sequence longer than 512", which our chunking handles) only add noise.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    args = sys.argv[1:] if argv is None else list(argv)
    _state["debug"] = "--debug" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="toolkit", standalone_mode=False)
    except typer.Exit as exc:  # typer turns Ctrl-C into Exit(130)
        if exc.exit_code == 130:
            _error("interrupted; work done so far is saved")
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors (click's, as vendored by typer): exit 2, one line
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `toolkit` or `toolkit terms`: show the help
            exc.show()
        else:
            _error(_usage_message(exc))
        return getattr(exc, "exit_code", 2)
    except (typer.Abort, KeyboardInterrupt):
        _error("interrupted; work done so far is saved")
        return 130
    except ToolkitError as exc:
        if _state["debug"]:
            raise
        _error(str(exc))
        return exc.exit_code
    except BrokenPipeError:
        return _stdout_closed()
    except OSError as exc:  # disk full, permission denied, ... raised outside the toolkit's own checks
        if _state["debug"]:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}; free disk space or check permissions, then run again (--debug for details)")
        return 1
    except SystemExit as exc:  # a library called sys.exit() (sacreBLEU does on some errors): still one line
        if isinstance(exc.__context__, BrokenPipeError):  # click's answer to a closed stdout is sys.exit(1)
            return _stdout_closed()
        if _state["debug"] or exc.code in (None, 0):
            raise
        detail = f" ({exc.code})" if isinstance(exc.code, str) else ""
        _error(f"a library stopped the program{detail}; rerun with --debug for the traceback and report it")
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # a bug: still one line, the traceback is one --debug away
        if _state["debug"]:
            raise
        text = " ".join(str(exc).split())[:300]
        _error(f"internal error ({type(exc).__name__}: {text}); rerun with --debug for the traceback and report it")
        return 1
    code = result if isinstance(result, int) else 0
    if code == 130:  # typer returns 130 for Ctrl-C in non-standalone mode
        _error("interrupted; work done so far is saved")
    return code
