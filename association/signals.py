"""What of the page cache an edit of the association changes (association/page_cache.py):
its name, address and links are on every page (the "site" scope)."""

from .models import Association, SocialLink
from .page_cache import SITE, bump_on_change

bump_on_change(Association, SocialLink, scopes=[SITE])
