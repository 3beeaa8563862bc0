"""The interface's catalogues (locale/<language>/LC_MESSAGES/django.po, `make messages`):
every string marked in the sources is in each, each is translated and none is fuzzy, the
placeholders survive (msgfmt --check), and the compiled .mo says what the .po says."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = {
    "de": LOCALE / "de" / "LC_MESSAGES" / "django.po",
    "fr": LOCALE / "fr" / "LC_MESSAGES" / "django.po",
    "ja": LOCALE / "ja" / "LC_MESSAGES" / "django.po",
    "zh_Hans": LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po",
}


def needs_gettext():
    missing = [tool for tool in ("msgfmt", "xgettext", "msgmerge") if not shutil.which(tool)]
    assert not missing, f"Install GNU gettext (apt-get install gettext): {missing} not found"


def untranslated(catalogue: polib.POFile) -> list[str]:
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete
        and (
            "fuzzy" in entry.flags
            or not (entry.msgstr or all(entry.msgstr_plural.values()) and entry.msgstr_plural)
        )
    ]


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    missing = untranslated(polib.pofile(str(CATALOGUES[language])))
    assert missing == [], f"{len(missing)} untranslated or fuzzy in {language}: {missing[:10]}"


@pytest.mark.parametrize("language", CATALOGUES)
def test_placeholders_survive_and_the_mo_says_what_the_po_says(language, tmp_path):
    needs_gettext()
    po_path = CATALOGUES[language]
    check = subprocess.run(
        [shutil.which("msgfmt"), "--check", "-o", str(tmp_path / "check.mo"), str(po_path)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    with open(po_path.with_suffix(".mo"), "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgstr or entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert mo._catalog.get(key) == entry.msgstr, f"{language}: .mo is stale for {key!r}"


def test_every_marked_string_is_in_the_catalogues(tmp_path):
    """What `make messages` would find in the sources today is what the catalogues hold."""
    needs_gettext()
    copy = tmp_path / "project"
    root = Path(settings.BASE_DIR)
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "node_modules", "staticfiles", "media", "__pycache__", "*.mo", "tests"
    )
    shutil.copytree(root, copy, ignore=ignore, symlinks=True)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "de",
            "--no-location",
            "--no-obsolete",
            "--ignore=benchmarks",
            "--ignore=locale",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        env={
            **{
                name: value
                for name, value in os.environ.items()
                if name != "DJANGO_SETTINGS_MODULE"
            },
            "DEBUG": "true",
        },
    )
    assert result.returncode == 0, result.stderr
    found = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(copy / CATALOGUES["de"].relative_to(root)))
    }
    for language, path in CATALOGUES.items():
        held = {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete}
        assert found - held == set(), f"{language}: not in the catalogue, run make messages"
