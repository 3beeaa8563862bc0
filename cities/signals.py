"""What of the page cache an edit in cities changes (association/page_cache.py): the
"cities" scope; the home city is also in every page's footer (the "site" scope)."""

from association.page_cache import SITE, bump_on_change

from .models import City, Committee, DirectoryListing, Milestone, Partnership, Photo

bump_on_change(City, scopes=["cities", SITE])
bump_on_change(Partnership, Committee, Photo, Milestone, DirectoryListing, scopes=["cities"])
