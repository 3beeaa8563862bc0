"""How the outbox's worker delivers email, read from `EMAIL_URL` (django-environ's spelling).

One spelling needs mending: a folder for `filemail://` (Django's file backend, one file per
message). django-environ takes `filemail:///var/spool/site-mail` apart as a URL and keeps
the path without its leading slash, so the emails went to `var/spool/site-mail` under
the directory the server was started in (the repository), not to `/var/spool/site-mail`.
Here the three-slash spelling means the absolute folder it reads as. A host part
(`filemail://relative`, `filemail://var/spool`) is refused with a message saying how to
write it: it is too easily a typo for the absolute folder, and a relative folder would
depend on where the server was started.

Imported by nsca/settings.py, so nothing here may import Django's configured parts.
"""

from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def email_config_from_url(url: str) -> dict:
    """The EMAIL_* settings for EMAIL_URL `url`, with a file folder that is absolute."""
    config = environ.Env.email_url_config(url)
    if config["EMAIL_BACKEND"] != FILE_BACKEND:
        return config
    parts = urlsplit(url)
    folder = unquote(parts.path)
    if parts.netloc or not folder.strip("/"):
        raise ImproperlyConfigured(
            f"EMAIL_URL={url!r} names no absolute folder for the email files. Write the "
            "folder after three slashes, e.g. EMAIL_URL=filemail:///var/spool/site-mail "
            "for /var/spool/site-mail."
        )
    config["EMAIL_FILE_PATH"] = "/" + folder.lstrip("/")
    return config
