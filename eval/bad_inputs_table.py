"""Run the bad-input catalogue of tests/test_bad_inputs.py and print it as a markdown table.

Usage (from the repository root):
    HF_HUB_OFFLINE=1 .venv/bin/python eval/bad_inputs_table.py > eval/bad_inputs.md
    .venv/bin/python eval/bad_inputs_table.py --skip-slow     # without the pickle checkpoint (torch import)

Each case runs in a fresh temporary folder (so messages show the short file names a user would type);
the table gives the command, the exit code and the one stderr line it printed. A case whose behaviour
is still wrong (marked ``xfail`` in the tests) is flagged "open" with the fix it needs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Cases that need signals, a monkeypatched disk or a subprocess live as separate tests.
OTHER_TESTS = [
    ("Ctrl-C during a run (clean save)", "`toolkit run c.yaml` + SIGINT", "130",
     "error: interrupted; work done so far is saved",
     "tests/test_runs.py::test_ctrl_c_saves_work_and_exits_130 (real SIGINT, slow); "
     "tests/test_bad_inputs.py::test_ctrl_c_in_process_exits_130_and_keeps_finished_rows (resume recomputes only the rest)"),
    ("SIGKILL during a run (resume loses nothing)", "`toolkit run c.yaml` + SIGKILL, then again", "-9, then 0",
     "(killed: no message; the rerun reuses every stored row, results equal a clean run)",
     "tests/test_runs.py::test_sigkill_partway_then_resume_loses_and_duplicates_nothing (slow)"),
    ("disk full in the run store", "`toolkit run c.yaml` (append raises ENOSPC)", "1",
     "error: runs/bad/summaries/lead-2.jsonl: cannot write (No space left on device); free disk space or choose another output_dir",
     "tests/test_bad_inputs.py::test_disk_full_in_the_run_store_keeps_earlier_results (lead-3 rows kept; rerun recomputes only lead-2)"),
    ("disk full in the atomic writer", "`toolkit normalize -g g.tsv doc.txt -o out.txt` (fsync raises ENOSPC)", "1",
     "error: out.txt: cannot write (No space left on device); free disk space or choose another folder, then run again",
     "tests/test_bad_inputs.py::test_disk_full_in_the_atomic_writer_leaves_the_old_file (old out.txt intact, no temp file)"),
    ("any other OS error", "(load raises PermissionError)", "1",
     "error: g.tsv: Permission denied; free disk space or check permissions, then run again (--debug for details)",
     "tests/test_bad_inputs.py::test_unexpected_os_error_is_one_line"),
    ("a bug (unexpected exception)", "(align raises ValueError)", "1",
     "error: internal error (ValueError: boom second line); rerun with --debug for the traceback and report it",
     "tests/test_bad_inputs.py::test_internal_error_is_one_line_unless_debug"),
    ("a library calls sys.exit()", "(score raises SystemExit(2))", "2",
     "error: a library stopped the program; rerun with --debug for the traceback and report it",
     "tests/test_bad_inputs.py::test_library_sys_exit_is_one_line"),
    ("--debug", "`toolkit --debug align -g g.tsv doc.txt` (bad glossary)", "1",
     "(full Python traceback ending in GlossaryError: g.tsv:3: ...)",
     "tests/test_bad_inputs.py::test_debug_shows_the_traceback_and_without_it_there_is_none"),
    # issue 22: hostile inputs that need a second holder, a subprocess, a signal or a patched library
    ("two runs on one run folder", "`toolkit run c.yaml` while another run holds runs/bad", "1",
     "error: runs/bad: another `toolkit run` is using this folder now; wait for it to finish, or set another name or output_dir",
     "tests/test_bad_inputs.py::test_hostile_two_runs_on_one_folder_cannot_both_run (--fresh refused too; the next run succeeds)"),
    ("a store line cut inside a UTF-8 character, and a torn tail", "`toolkit run c.yaml` after the cut", "0",
     "(resumes: the cut document is recomputed, the torn tail cut before appending)",
     "tests/test_bad_inputs.py::test_hostile_store_cut_inside_a_utf8_character_resumes; tests/test_store.py"),
    ("no process spawned by a run", "`toolkit run c.yaml` with subprocess/fork/posix_spawn patched to fail", "0",
     "(the git commit comes from .git/HEAD, read as a file)",
     "tests/test_bad_inputs.py::test_hostile_nothing_is_spawned_during_a_run"),
    ("closed stdout pipe", "`toolkit align -g g.tsv docs.jsonl \\| head -1`", "141",
     "(nothing on stderr)", "tests/test_bad_inputs.py::test_hostile_closed_stdout_pipe_exits_quietly (subprocess)"),
    ("Ctrl-C swallowed by a library", "(SIGINT inside a call that catches KeyboardInterrupt)", "130",
     "error: interrupted; work done so far is saved",
     "tests/test_bad_inputs.py::test_hostile_ctrl_c_swallowed_by_a_library_still_exits_130"),
    ("corrupt default-model cache", "(truncated model.safetensors in the cache)", "0",
     "(a warning; the cache entry is dropped and rebuilt from the GGUF file)",
     "tests/test_bad_inputs.py::test_hostile_corrupt_model_cache_is_rebuilt"),
    ("Ray address where nothing listens", "`executor: ray`, `RAY_ADDRESS=127.0.0.1:<free port>`", "1",
     "error: RAY_ADDRESS '127.0.0.1:PORT': nothing answers at 127.0.0.1:PORT (Connection refused); start the cluster "
     "there (ray start --head), unset RAY_ADDRESS, or use executor: local",
     "tests/test_bad_inputs.py::test_hostile_ray_address_where_nothing_listens_is_one_line_in_seconds (3 s TCP probe)"),
    ("format characters inside a term", "`toolkit terms check -g g.tsv` (variant Jin\\u200bXiangjun)", "0",
     "(warning: variant 'Jin\\u200bXiangjun' contains invisible format characters (U+200B); ...)",
     "tests/test_bad_inputs.py::test_hostile_format_characters_inside_a_term_are_warned_about"),
]


def _load_catalogue():
    spec = importlib.util.spec_from_file_location("bad_inputs_catalogue", ROOT / "tests" / "test_bad_inputs.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-slow", action="store_true", help="skip cases marked slow (they import torch)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    catalogue = _load_catalogue()
    here = os.getcwd()
    lines = [
        "# Bad inputs: what the toolkit answers",
        "",
        "Generated by `eval/bad_inputs_table.py` from the cases of `tests/test_bad_inputs.py`; each row was run",
        "in-process through the CLI in a fresh folder. Exit codes: 0 ok, 1 input/runtime error (one line",
        "`error: ...` on stderr), 2 usage error, 130 interrupted. \"open\" = the behaviour is still wrong",
        "(the test is `xfail(strict=True)`) and the note says the fix it needs.",
        "",
        "| # | case | command | exit | stderr (one line) / what is checked | status | CPU s |",
        "|---|------|---------|------|--------------------------------------|--------|-------|",
    ]
    failures = 0
    cpu_total = hostile_cpu = 0.0
    for number, case in enumerate(catalogue.CASES, start=1):
        if case.slow and args.skip_slow:
            lines.append(f"| {number} | {_cell(case.item)} | `toolkit {_cell(' '.join(case.argv))}` | - | (skipped: slow) | - | - |")
            continue
        with tempfile.TemporaryDirectory(prefix="bad-input-") as tmp:
            os.chdir(tmp)
            try:
                cpu = time.process_time()
                outcome = catalogue.run_case(case, Path(tmp))
                cpu = time.process_time() - cpu
                left_behind = [name for name in case.absent if (Path(tmp) / name).exists()]
            finally:
                os.chdir(here)
        err_lines = (outcome.out if case.report else outcome.err).strip().splitlines()
        err_lines = err_lines[:1] if case.report else err_lines
        if outcome.rc == 0:
            message = "(exit 0; " + (case.check.__name__.strip("_").replace("_", " ") if case.check else "ok") + ")"
        else:
            message = err_lines[-1] if err_lines else "(nothing on stderr)"
        ok = (outcome.rc == case.rc and not left_behind
              and (outcome.rc == 0 or (len(err_lines) == 1 and all(t in err_lines[0] for t in case.expect))))
        if left_behind:
            message += f" (left behind: {', '.join(left_behind)})"
        if case.xfail:
            status = f"open: {case.xfail}" if not ok else "fixed (remove the xfail)"
        else:
            status = "ok" if ok else "FAIL"
            failures += not ok
        lines.append(f"| {number} | {_cell(case.item)} | `toolkit {_cell(' '.join(case.argv))}` | {outcome.rc} | "
                     f"{_cell(message)} | {_cell(status)} | {cpu:.2f} |")
        cpu_total += cpu
        hostile_cpu += cpu if case.id.startswith("hostile-") else 0.0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    hostile = sum(c.id.startswith("hostile-") for c in catalogue.CASES)
    lines += [
        "",
        f"Cost of this table (one process, cases in turn; CPU of the command only): all cases {cpu_total:.1f} s CPU, "
        f"the {hostile} hostile cases of issue 22 {hostile_cpu:.1f} s CPU; peak memory of the whole process "
        f"{peak_mb:.0f} MB, so no case took more (load average {os.getloadavg()[0]:.1f} when it finished).",
    ]
    lines += [
        "",
        "## Cases covered by separate tests (signals, simulated disk, subprocess)",
        "",
        "| case | command | exit | stderr (one line) | test |",
        "|------|---------|------|-------------------|------|",
    ]
    lines += [f"| {a} | {b} | {c} | {_cell(d)} | {e} |" for a, b, c, d, e in OTHER_TESTS]
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
