"""The association that runs the events, as the project supplies it.

Events imports nothing of the site app (`nsca`): the project names, in
`settings.EVENTS_ASSOCIATION`, a callable returning the association's record (an object
with `name`, `short_name`, `email`...), which emails, feeds and calendars sign with. Left
unset, they go unsigned.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def current_association():
    """The association's record, read afresh, or None when the project names none."""
    path = getattr(settings, "EVENTS_ASSOCIATION", None)
    return import_string(path)() if path else None
