"""Who sees an exchange application: the ONE rule (DESIGN.md), used by every page, the
admin and the ranking.

An application is seen by
- its applicant;
- the reviewers of its program (members of the program's committee) once it is complete
  (and after, when decided), unless they recused themselves from it;
- staff with the `exchanges.exchanges` permission (the "Exchange committee" role).
A guardian's link shows the consent page only; a referee's link the letter form only.

Letters are read by those who see the application, never by its applicant (even one who is
also staff or a reviewer of their own program).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Application, Program, Review

REVIEWABLE = (
    Application.Status.COMPLETE,
    Application.Status.ACCEPTED,
    Application.Status.WAITLISTED,
    Application.Status.DECLINED,
)


def is_exchange_staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("exchanges.exchanges")
    )


def applications_visible_to(user) -> QuerySet:
    """Every application `user` may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Application.objects.none()
    if is_exchange_staff(user):
        return Application.objects.all()
    on_committee = Exists(
        Program.committee.through.objects.filter(program=OuterRef("program"), user=user)
    )
    recused = Exists(Review.objects.filter(application=OuterRef("pk"), reviewer=user, recused=True))
    return Application.objects.filter(
        Q(applicant=user) | (Q(status__in=REVIEWABLE) & Q(on_committee) & ~Q(recused))
    )


def reviewable_by(user) -> QuerySet:
    """The applications `user` sees as a reviewer or staff (not their own)."""
    return applications_visible_to(user).exclude(applicant=user)


def may_see_application(user, application: Application) -> bool:
    return applications_visible_to(user).filter(pk=application.pk).exists()


def may_read_letters(user, application: Application) -> bool:
    """Letters: for whoever sees the application, but never its applicant."""
    return application.applicant_id != getattr(user, "pk", None) and may_see_application(
        user, application
    )


def may_decide(user, program: Program) -> bool:
    """The chair records decisions (and exchange staff)."""
    return is_exchange_staff(user) or (
        getattr(user, "is_authenticated", False) and program.chair_id == user.pk
    )
