"""Templates' includes are named one way: a site-wide piece is `includes/<name>.html`, an
app's is `<app>/includes/<name>.html` (an email's `emails/includes/<name>.html`), and
variants of one piece are django-template-partials' `#name`s in its file. Every include
names a template (and partial) that exists, so a rename cannot leave one behind."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INCLUDE = re.compile(r"""{%\s*include\s+(["'])(?P<name>[^"']+)\1""")
INCLUDES_FOLDER = re.compile(r"^([a-z_]+/)?includes/[a-z_]+\.(html|txt)(#[a-z_]+)?$")


def includes():
    found = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in {".html", ".txt"}:
            text = path.read_text(encoding="utf-8")
            for match in INCLUDE.finditer(text):
                found.append((path.relative_to(TEMPLATES).as_posix(), match["name"]))
    return found


def account_sections():
    from nsca.composition import AccountView

    return AccountView().get_account_sections()


def test_the_templates_are_scanned():
    assert ("base.html", "includes/header.html") in includes()


@pytest.mark.parametrize(("template", "included"), includes())
def test_every_include_names_a_template_that_exists(template, included):
    get_template(included)  # raises TemplateDoesNotExist (or a missing partial's error)


@pytest.mark.parametrize(("template", "included"), includes())
def test_every_include_lives_in_an_includes_folder(template, included):
    assert INCLUDES_FOLDER.match(included), f"{template} includes {included}"


def test_the_account_pages_composed_sections_are_includes_that_exist():
    for section in account_sections():
        assert INCLUDES_FOLDER.match(section)
        get_template(section)


def test_no_template_is_named_with_an_underscore_prefix():
    assert not [path for path in TEMPLATES.rglob("_*") if path.is_file()]
