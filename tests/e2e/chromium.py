"""The browser the browser tests drive: Debian's Chromium, never `playwright install`'s."""

import os
from pathlib import Path

# Debian's Chromium; CHROMIUM names another (the test of the missing-browser message does).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MISSING_CHROMIUM = (
    f"The browser tests need Chromium at {CHROMIUM}, which is missing. Install it "
    "(Debian/Ubuntu: sudo apt-get install chromium; `make test` does this itself when run "
    "as root), or run the other tests alone: make test PYTEST_ARGS=--ignore=tests/e2e"
)
HERE = Path(__file__).resolve().parent


def is_missing() -> bool:
    return not os.path.exists(CHROMIUM)


def may_be_collected(config) -> bool:
    """Whether a run's arguments reach the browser tests (before anything is collected, as
    pytest-xdist's controller must decide: its workers collect, each on its own)."""
    ignored = [Path(path).resolve() for path in config.getoption("ignore") or []]
    if any(path == HERE or path in HERE.parents for path in ignored):
        return False
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == HERE or path in HERE.parents or HERE in path.parents:
            return True
    return False
