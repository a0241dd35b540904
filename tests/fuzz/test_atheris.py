"""Every atheris target runs for a bounded number of inputs in CI and finds no crash.

libFuzzer exits non-zero and writes ``crash-*`` with the input when a target raises
anything but the parser's own refusal; that input then becomes a regression test (as
``test_regression_csv_bytes_that_are_neither_utf8_nor_windows_1254`` did).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "atheris_parsers.py"
TARGETS = ["mime", "html_text", "extract", "cimer_csv", "cimer_xml", "dates", "phone"]
RUNS = int(os.environ.get("KENT360_FUZZ_RUNS", "1500"))

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None,
    reason="atheris has wheels for Linux x86_64 only; hypothesis fuzzes the same parsers",
)


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target_finds_no_crash(target: str, tmp_path: Path) -> None:
    env = os.environ | {"KENT360_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)  # the parsers need no database
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            target,
            f"-runs={RUNS}",
            "-max_len=2048",
            "-seed=1",
            f"-artifact_prefix={tmp_path}/",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    crashes = sorted(p.name for p in tmp_path.glob("crash-*"))
    assert done.returncode == 0 and not crashes, (crashes, done.stderr[-3000:])
    # libFuzzer reports how many inputs it ran; it must have run them all.
    assert f"Done {RUNS} runs" in done.stderr, done.stderr[-1500:]
