""" "Write to us": one wording, wherever a page or an email asks someone to get in touch.

With the association's contact email, the sentence gives it. Without one (the demo has
none: its public sources name no address), it points to the site's About page, which
says who the association is and shows its contact details in the footer, instead of an
invitation to write with nowhere to write to.
"""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def contact_page_url(*, absolute: bool) -> str:
    """The page to contact the association from: the About page, else the home page
    (absolute in an email, which is read away from the site)."""
    try:
        path = reverse("about")
    except NoReverseMatch:
        path = "/"
    return settings.SITE_URL.rstrip("/") + path if absolute else path


@register.simple_tag(takes_context=True)
def write_to_us(context, text=False):
    """`{% write_to_us %}` in HTML; `{% write_to_us text=True %}` in a plain-text email.
    Needs `association` in the context (pages and emails have it)."""
    association = context.get("association")
    email = getattr(association, "email", "")
    if email:
        if text:
            return _("write to us at %(email)s") % {"email": email}
        return format_html(_('write to us at <a href="mailto:{email}">{email}</a>'), email=email)
    # A page has its request; an email (read away from the site) has none.
    url = contact_page_url(absolute=text or context.get("request") is None)
    if text:
        return _("contact us (see %(url)s)") % {"url": url}
    return format_html(_('contact us (see <a href="{url}">our About page</a>)'), url=url)
