"""What of the page cache an edit in news changes (association/page_cache.py): the posts
(subscribers, mailings and deliveries are on no public page)."""

from association.page_cache import bump_on_change, changes_by_itself

from .models import Post, next_publication

bump_on_change(Post, scopes=["news"])
# Nothing is written when a scheduled post's time comes: no page showing the news is kept
# past it.
changes_by_itself("news", lambda now: next_publication(now=now))
