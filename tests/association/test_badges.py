import re
from pathlib import Path

from django.conf import settings

from association.badges import Badge, Tone, render_badge
from events.listing import SalesState
from tickets.models import OrderState

STATUS_COMPARISON = re.compile(
    r"""(status|state)\s*(==|!=)|(==|!=)\s*\w*\.(status|state)\b""", re.IGNORECASE
)


def test_templates_never_compare_status_strings():
    """A badge's label and tone come from the model (`badge`, `buyer_state`...), shown by
    templates/includes/badge.html: no template decides a state by comparing strings."""
    offenders = []
    for template_dir in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(template_dir).rglob("*.*"):
            if path.suffix not in (".html", ".txt"):
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                for tag in re.findall(r"{%\s*(?:if|elif)\b(.*?)%}", line):
                    if STATUS_COMPARISON.search(tag):
                        offenders.append(f"{path}:{number}: {tag.strip()}")
    assert offenders == []


def test_one_partial_shows_any_state_with_its_label_and_tone():
    assert render_badge(Badge("Paid", Tone.OK)) == '<span class="badge badge-ok">Paid</span>'
    assert render_badge(Badge("Inactive")) == '<span class="badge">Inactive</span>'
    assert render_badge(OrderState.PAYMENT_DUE, css_class="order-state") == (
        '<span class="badge badge-warn order-state">Reserved, payment due</span>'
    )
    assert render_badge(SalesState.SOLD_OUT) == '<span class="badge badge-error">Sold out</span>'
