"""What of the page cache an edit of the site's own pages changes (association/page_cache.py)."""

from association.page_cache import bump_on_change

from .models import Page

bump_on_change(Page, scopes=["pages"])
