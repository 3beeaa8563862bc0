"""What of the page cache an edit in exchanges changes (association/page_cache.py).

Programs, their questions and installments are what the "exchanges" scope shows: the
program list and pages, and each partner city's page (cities' views name the scope). A
program also changes by itself when its applications open or close (the "Apply" button,
the open/upcoming/past lists): no page showing the scope is kept past the next such moment.
Applications, references and reviews are private pages, never cached."""

from association.page_cache import bump_on_change, changes_by_itself

from .models import Installment, Program, Question


def next_phase_change(now):
    """The next moment a published program's applications open or close, or None."""
    upcoming = (
        Program.objects.published()
        .filter(applications_open_at__gt=now)
        .order_by("applications_open_at")
        .values_list("applications_open_at", flat=True)
        .first()
    )
    closing = (
        Program.objects.open_for_applications(now)
        .order_by("application_deadline")
        .values_list("application_deadline", flat=True)
        .first()
    )
    return min((moment for moment in (upcoming, closing) if moment), default=None)


bump_on_change(Program, Question, Installment, scopes=["exchanges"])
changes_by_itself("exchanges", next_phase_change)
