"""Every email the site sends is built here, one way (each app keeps only its context).

- Two parts always: the plain text from `templates/emails/<name>.txt` and the HTML from
  `templates/emails/<name>.html` (which extends the layout, emails/base.html). A mail
  program that shows only text, and a spam filter that distrusts HTML alone, both get a
  whole message.
- Signed by the association: its name, contact email and postal address are in every
  template's context (`association`), with the site's address (`site_url`).
- Replies go to the association's contact email (Reply-To), not to the sending address,
  which is often a no-reply mailbox of the mail service.
- In the recipient's language (`language`, association/languages.py): the subject, both
  parts, and every date, amount and translated field they show. A caller that puts the
  subject together itself does it inside `speaking_to(recipient)`.

`tests/nsca/test_every_email.py` holds the site to it: no other module builds a message.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Association


def reply_to(association: Association) -> list[str]:
    """Where a reply to the association's email goes: its contact email, when it has one."""
    return [association.email] if association.email else []


def association_email(
    name: str,
    *,
    to: str | list[str],
    subject,
    context: dict,
    headers: dict | None = None,
    association: Association | None = None,
    language: str | None = None,
) -> EmailMultiAlternatives:
    """The email `name`, "<app>/<name>" (templates/emails/<app>/<name>.txt and .html), to
    `to`, ready to return from an outbox builder (which may attach to it); `queue_email`
    when nothing is added.
    `association` saves a read when the caller has it (a mailing to thousands, the
    worker's kept copy)."""
    association = association or Association.current()
    context = {"association": association, "site_url": settings.SITE_URL, **context}
    with translation.override(language or translation.get_language()):
        message = EmailMultiAlternatives(
            subject=" ".join(str(subject).split()),
            body=render_to_string(f"emails/{name}.txt", context),
            to=[to] if isinstance(to, str) else list(to),
            reply_to=reply_to(association),
            headers=headers,
        )
        message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    return message


def queue_email(
    name: str,
    *,
    to: str | list[str],
    subject,
    context: dict,
    headers: dict | None = None,
    association: Association | None = None,
    language: str | None = None,
) -> None:
    """Render the email `name` ("<app>/<name>": templates/emails/<app>/<name>.txt and
    .html) and queue it: written to the outbox with the task that sends it, in the caller's
    transaction (outbox/backends.py). The one way an app sends an email; its own emails.py
    only says what goes in the context."""
    association_email(
        name,
        to=to,
        subject=subject,
        context=context,
        headers=headers,
        association=association,
        language=language,
    ).send()
