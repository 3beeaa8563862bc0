"""Membership is the base other apps build on: it imports nothing of them (DESIGN.md), so
it can be reused by another association's site and never forms an import cycle."""

import ast
from pathlib import Path

import membership

FORBIDDEN = {"events", "cities", "nsca"}
APP_DIR = Path(membership.__file__).parent


def imported_top_level_packages(source: str) -> set[str]:
    packages = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def test_membership_imports_nothing_of_events_cities_or_nsca():
    offenders = {
        str(path.relative_to(APP_DIR.parent)): sorted(
            imported_top_level_packages(path.read_text()) & FORBIDDEN
        )
        for path in sorted(APP_DIR.rglob("*.py"))
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_import_check_sees_every_form_of_import():
    source = "import events\nimport cities.models as m\nfrom nsca import x\nfrom . import nsca\n"
    assert imported_top_level_packages(source) == {"events", "cities", "nsca"}
