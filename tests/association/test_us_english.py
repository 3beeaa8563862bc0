"""The association is American: what people read on its pages, in its emails and in the
admin is US English ("check", "ZIP code", "color"), whatever the template or the Python
string it comes from. Database column names are left as they are."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# British spellings of words the site uses or might (each is its own US word).
BRITISH = re.compile(
    r"\b(cheques?|colour\w*|post ?codes?|honour\w*|favourite\w*|centres?|centred"
    r"|organis(e|ed|es|ing|ation|ations)|catalogues?|licences?|behaviours?|programmes?"
    r"|neighbour\w*)\b",
    re.IGNORECASE,
)


def british_words(text: str) -> list[str]:
    return [match.group(0) for match in BRITISH.finditer(text)]


def project_sources():
    packages = {path.parent for path in ROOT.glob("*/__init__.py")} - {ROOT / "tests"}
    for package in sorted(packages):
        for path in sorted(package.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_word_list_tells_british_from_american():
    assert british_words("Pay by cheque, colour, postcode, in honour, centre") == [
        "cheque",
        "colour",
        "postcode",
        "honour",
        "centre",
    ]
    assert british_words("Pay by check, color, ZIP code, in honor of, center") == []


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt"}),
    ids=lambda path: str(path.relative_to(ROOT / "templates")),
)
def test_templates_are_written_in_us_english(path):
    assert british_words(path.read_text()) == []


def test_python_strings_people_read_are_us_english():
    found = {}
    for path in project_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = british_words(node.value)
                if words:
                    found.setdefault(str(path.relative_to(ROOT)), []).extend(words)
    assert found == {}


def test_the_environment_example_and_the_docs_are_us_english():
    for path in [ROOT / ".env.example", ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert british_words(path.read_text()) == [], path.name
