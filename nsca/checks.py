"""Deployment checks (`manage.py check --deploy`) for settings that fall back quietly.

SITE_URL and EMAIL_URL have development defaults so `make run` needs nothing configured.
In production those defaults fail silently: emails, calendar files and private order links
point at 127.0.0.1, and confirmations and venue notices are printed to a log instead of
sent. These checks name the setting before a volunteer learns of it from a buyer. The same goes
for an HSTS max-age shorter than the year browsers expect, and for CACHE_URL: the default
cache lives inside each server process, so with several processes (gunicorn's workers, or
several machines) sign-in and checkout limits count per process and a cached page is not
cleared everywhere.

Two more are about who the association is, which the site cannot guess: its legal name,
postal address and tax number (data staff enter in the admin; every check instruction,
every mailing's footer and every receipt needs them), and DEFAULT_FROM_EMAIL, which
otherwise sends every email from webmaster@localhost, an address mail servers refuse.
"""

import ipaddress
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning
from django.db import DatabaseError

# Backends that accept a message and deliver it to nobody.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


# Cache backends whose entries no other server process sees.
PER_PROCESS_CACHE_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def is_loopback_host(host):
    """True for localhost names and loopback or unspecified addresses (127.0.0.1, ::1...)."""
    host = (host or "").strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_site_url(app_configs=None, **kwargs):
    """SITE_URL must be the public https address when DEBUG is off."""
    if settings.DEBUG:
        return []
    url = urlsplit(settings.SITE_URL)
    if not url.hostname or is_loopback_host(url.hostname):
        return [
            Error(
                f"SITE_URL is {settings.SITE_URL!r}, not the site's public address.",
                hint="Set SITE_URL to the public address, e.g. https://www.example.org: "
                "emails, calendar files and private order links are built from it.",
                id="nsca.E001",
            )
        ]
    if url.scheme != "https":
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}, not an https:// address.",
                hint="Links in emails and calendar files would send people to plain HTTP.",
                id="nsca.W002",
            )
        ]
    return []


def check_email_backend(app_configs=None, **kwargs):
    """Email must be delivered when DEBUG is off (tickets and venue notices go by email).
    What delivers it is the outbox's backend (`OUTBOX_DELIVERY_BACKEND`, from EMAIL_URL);
    EMAIL_BACKEND itself only writes to the outbox."""
    backend = settings.OUTBOX_DELIVERY_BACKEND
    if settings.DEBUG or backend not in UNDELIVERED_EMAIL_BACKENDS:
        return []
    return [
        Error(
            f"The outbox delivers email with {backend}, which delivers no email.",
            hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587: "
            "order confirmations and venue notices are sent by email.",
            id="nsca.E003",
        )
    ]


def check_hsts_lasts_a_year(app_configs=None, **kwargs):
    """Over HTTPS, HSTS should last at least a year (`settings.HSTS_MIN_SECONDS`). Django's
    own check only notices a max-age of 0."""
    seconds = settings.SECURE_HSTS_SECONDS
    if settings.DEBUG or not settings.SECURE_SSL_REDIRECT or not seconds:
        return []
    if seconds >= settings.HSTS_MIN_SECONDS:
        return []
    return [
        Warning(
            f"SECURE_HSTS_SECONDS is {seconds}, less than a year.",
            hint=f"Use at least {settings.HSTS_MIN_SECONDS} once HTTPS works everywhere.",
            id="nsca.W004",
        )
    ]


def check_cache_is_shared(app_configs=None, **kwargs):
    """With DEBUG off, the default cache should be one every server process shares."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHE_BACKENDS:
        return []
    return [
        Warning(
            f"The default cache ({backend}) is kept inside each server process.",
            hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/0: sign-in "
            "and checkout limits and the page cache must be shared by gunicorn's workers "
            "and every server.",
            id="nsca.W005",
        )
    ]


def check_association_details(app_configs=None, **kwargs):
    """The association's legal name, postal address and tax number must be filled in when
    DEBUG is off: checks are payable to the legal name and mailed to the address, every
    mailing shows the address (CAN-SPAM), receipts show the legal name and tax number.
    They are data, so this reads the database, and says so plainly when it cannot (no
    table before the first `migrate`, or the database unreachable)."""
    if settings.DEBUG:
        return []
    from association.models import Association  # noqa: PLC0415 (apps are loaded by now)

    hint = "Fill them in under Association in the admin (/admin/association/association/)."
    try:
        association = Association.objects.filter(pk=1).first()
    except DatabaseError as error:
        return [
            Error(
                f"The association's details could not be read: {error}".strip(),
                hint="Run `manage.py migrate`, then fill in the association's legal name, "
                "postal address and tax number in the admin.",
                id="nsca.E010",
            )
        ]
    missing = (
        association.missing_details()
        if association
        else ["legal name", "postal address", "tax number"]
    )
    if not missing:
        return []
    return [
        Error(
            f"The association's {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            "not filled in.",
            hint=hint + " Check instructions, mailings and receipts need them.",
            id="nsca.E010",
        )
    ]


def check_default_from_email(app_configs=None, **kwargs):
    """Emails must come from a real address of the association's domain, not Django's
    default webmaster@localhost."""
    if settings.DEBUG:
        return []
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2]
    if "@" in address and "." in domain and not is_loopback_host(domain):
        return []
    return [
        Error(
            f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL!r}, not a public address.",
            hint="Set DEFAULT_FROM_EMAIL, e.g. "
            '"Norfolk Sister City Association <info@example.org>": every email is sent '
            "from it, and mail servers refuse mail from localhost.",
            id="nsca.E011",
        )
    ]
