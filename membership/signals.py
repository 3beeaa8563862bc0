"""What of the page cache an edit in membership changes (association/page_cache.py): the
plans (members' own rows are on no public page); and the language an account is written
in (association/languages.py)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from association.languages import current_language
from association.page_cache import bump_on_change

from .models import MembershipPlan

bump_on_change(MembershipPlan, scopes=["membership"])


@receiver(user_logged_in, dispatch_uid="membership:language_at_sign_in")
def keep_the_language_of_the_sign_in(sender, request, user, **kwargs):
    """An account is written to in the language it last signed in with (the page's)."""
    language = current_language()
    if request is not None and user.language != language:
        type(user).objects.filter(pk=user.pk).update(language=language)
        user.language = language
