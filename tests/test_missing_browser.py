"""A machine without Chromium: the suite stops with one message saying what to install,
instead of an error for every browser test (tests/e2e/conftest.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("parallel", [[], ["-n", "2"]], ids=["one-process", "two-workers"])
def test_without_chromium_the_browser_tests_stop_with_one_message_saying_what_to_install(
    parallel,
):
    if parallel:
        # As `make test` runs the suite: not one message per worker (tests/conftest.py).
        pytest.importorskip("xdist", reason="pytest-xdist runs the suite in parallel")
    env = {**os.environ, "CHROMIUM": "/nonexistent/chromium"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *parallel, "tests/e2e"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert output.count("The browser tests need Chromium at /nonexistent/chromium") == 1
    assert "sudo apt-get install chromium" in output
    assert " error" not in output.lower() and "passed" not in output
