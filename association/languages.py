"""The language someone is written to in: each account, newsletter subscriber, ticket buyer and
donor keeps the language of the pages they used (the active one when the row was created;
an account's is updated at each sign-in), and their emails are written in it
(association/emails.py), whoever or whatever sends them: a job, staff in the admin, a
request in another language."""

import functools
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

CODES = frozenset(code for code, _name in settings.LANGUAGES)


def current_language() -> str:
    """The active language if the site has it, else the site's own (English)."""
    language = translation.get_language()
    return language if language in CODES else settings.LANGUAGE_CODE


def language_field() -> models.CharField:
    """The `language` field of a row that is written to."""
    return models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=current_language,
        help_text=_("The language the site writes to them in."),
    )


def language_of(recipient) -> str:
    """The language to write to `recipient` in (anything with a `language`, or None)."""
    return site_language(getattr(recipient, "language", "") or "")


def site_language(code: str) -> str:
    """`code` if the site has that language, else the site's own (English)."""
    return code if code in CODES else settings.LANGUAGE_CODE


@contextmanager
def speaking_to(recipient):
    """Everything inside (a subject put together, a template rendered, a date or an amount
    formatted, a translated field read) is in `recipient`'s language."""
    with translation.override(language_of(recipient)):
        yield


def speaking(code: str):
    """As `speaking_to`, for someone the site knows by a language code only (a partner's
    coordinator, named on the visit)."""
    return translation.override(site_language(code))


def in_language_of(recipient_of: Callable):
    """Decorate a function that writes to someone (its first argument leads to them by
    `recipient_of`): it runs in that person's language, whoever calls it (a committee
    member in the admin, a job)."""

    def decorate(function):
        @functools.wraps(function)
        def speaking(first, *args, **kwargs):
            with speaking_to(recipient_of(first)):
                return function(first, *args, **kwargs)

        return speaking

    return decorate
