"""`make lighthouse`: Lighthouse's four scores (performance, accessibility, best practices,
SEO) on the partner pages, in English and in each partner's language, as production serves
them (gunicorn from benchmarks/pages.py, DEBUG off, PostgreSQL from DATABASE_URL, the demo
content). Exits 1 when a score is below 100.

Lighthouse is Google's, from the npm registry (`npx --yes lighthouse@12`, so it needs Node.js
and a reachable registry; the test suite does not run it), driving Debian's Chromium
(CHROME_PATH, /usr/bin/chromium by default) headless on its default mobile profile.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import pages  # noqa: E402 (the path above first)

PATHS = os.environ.get(
    "LIGHTHOUSE_PATHS",
    "/ /cities/ /cities/kitakyushu/ /cities/wilhelmshaven/ /de/cities/wilhelmshaven/ "
    "/fr/cities/toulon/ /ja/cities/kitakyushu/ /zh-hans/cities/ningbo-beilun/",
).split()
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def scores(url: str, out: Path) -> dict[str, float | None]:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    command = ["npx", "--yes", "lighthouse@12", url, "--quiet", "--output=json"]
    command += [f"--output-path={out}", "--chrome-flags=--headless=new --no-sandbox"]
    for _attempt in range(3):  # Chromium now and then records no trace (NO_NAVSTART)
        subprocess.run(command, env=env, capture_output=True, check=False)  # noqa: S603
        if out.exists():
            report = json.loads(out.read_text())
            found = {name: report["categories"][name]["score"] for name in CATEGORIES}
            if None not in found.values():
                return found
    return dict.fromkeys(CATEGORIES)


def main() -> None:
    pages.prepare_site()
    server = pages.start("site")
    try:
        pages.wait_until_up(pages.PORTS["site"])
        failed = False
        print(f"{'page':<34}" + "".join(f"{name:>16}" for name in CATEGORIES))
        with tempfile.TemporaryDirectory() as directory:
            for number, path in enumerate(PATHS):
                out = Path(directory) / f"{number}.json"
                found = scores(f"http://127.0.0.1:{pages.PORTS['site']}{path}", out)
                row = [
                    "failed" if value is None else f"{round(value * 100)}"
                    for value in found.values()
                ]
                failed |= any(value is None or value < 1 for value in found.values())
                print(f"{path:<34}" + "".join(f"{value:>16}" for value in row))
    finally:
        server.terminate()
        server.wait()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
