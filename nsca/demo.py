"""The association's own texts (from its 2023 home page), loaded by `load_demo`.

Rows are created when missing and never overwritten, so staff edits survive `make run`.
"""

import json
from pathlib import Path

from association.models import Association, SocialLink
from association.registry import demo_loaders

from .models import Page

CONTENT = Path(__file__).parent / "demo_content" / "association.json"


@demo_loaders.register
def load(*, stdout):
    data = json.loads(CONTENT.read_text(encoding="utf-8"))
    association, _ = Association.objects.get_or_create(pk=1, defaults=data["association"])
    for position, link in enumerate(data["social_links"]):
        SocialLink.objects.get_or_create(
            association=association,
            label=link["label"],
            defaults={"url": link["url"], "position": position},
        )
    for page in data["pages"]:
        Page.objects.get_or_create(slug=page["slug"], defaults=page)
