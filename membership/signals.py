"""What of the page cache an edit in membership changes (association/page_cache.py): the
plans (members' own rows are on no public page)."""

from association.page_cache import bump_on_change

from .models import MembershipPlan

bump_on_change(MembershipPlan, scopes=["membership"])
