"""Dependencies between the project's packages point one way (DESIGN.md), so each can be
reused without the ones after it and no import cycle can form. Every package is listed here
with the project packages it may import; nsca composes the site from all of them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MAY_IMPORT = {
    "association": set(),
    "outbox": {"association"},  # the ground floor: its jobs register in association.registry
    "payments": {"association"},
    "membership": {"association", "payments"},
    "donations": {"association", "payments", "membership"},
    "cities": {"association", "payments", "membership"},
    "events": {"association", "outbox", "payments", "membership", "cities"},
    # Never tickets (an orientation is an event; what a traveler pays goes through payments).
    "exchanges": {"association", "payments", "membership", "cities", "events"},
    # Never tickets either (an orientation is an event); outgoing travelers come from exchanges.
    "visits": {"association", "payments", "membership", "cities", "events", "exchanges"},
    "tickets": {"association", "outbox", "payments", "membership", "cities", "events"},
    "news": {
        "association",
        "outbox",
        "payments",
        "membership",
        "donations",
        "cities",
        "events",
        "tickets",
    },
    "nsca": {
        "association",
        "outbox",
        "payments",
        "membership",
        "donations",
        "cities",
        "events",
        "tickets",
        "exchanges",
        "visits",
        "news",
    },
    # Who translates what: limits the cities' admin for partner editors and loads the demo
    # translations of cities, events (their ticket types through the relation), visits and
    # pages.
    "translations": {"association", "cities", "events", "visits", "nsca"},
}


def project_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name != "tests"}


def imported_top_level_packages(source: str) -> set[str]:
    packages = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_the_packages_before_it(package):
    forbidden = project_packages() - MAY_IMPORT[package] - {package}
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            imported_top_level_packages(path.read_text(encoding="utf-8")) & forbidden
        )
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_every_project_package_has_its_boundary():
    assert project_packages() == set(MAY_IMPORT)


def test_the_import_check_sees_every_form_of_import():
    source = "import events\nimport cities.models as m\nfrom nsca import x\nfrom . import nsca\n"
    assert imported_top_level_packages(source) == {"events", "cities", "nsca"}
