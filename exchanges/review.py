"""The committee's review: each reviewer scores the program's rubric (1 to 5 a criterion,
and a comment) or recuses themselves, after which the application is closed to them
(access.py). The ranking shows averages and how many reviewers scored each."""

from django.db import transaction
from django.db.models import Avg, Count, Q

from .access import REVIEWABLE
from .models import Application, Review, Score


def save_review(application: Application, *, reviewer, scores: dict, comment: str) -> Review:
    """`scores`: {criterion id: 1..5}; the caller checked the reviewer may see it."""
    with transaction.atomic():
        review, _created = Review.objects.get_or_create(application=application, reviewer=reviewer)
        review.comment = comment
        review.save(update_fields=["comment", "updated"])
        for criterion_id, value in scores.items():
            Score.objects.update_or_create(
                review=review, criterion_id=criterion_id, defaults={"value": value}
            )
    return review


def recuse(application: Application, *, reviewer) -> None:
    Review.objects.update_or_create(
        application=application, reviewer=reviewer, defaults={"recused": True}
    )


def ranking(program, *, visible):
    """`visible`: the applications the viewer may see (access.py); best average first."""
    scored = Q(reviews__recused=False, reviews__scores__isnull=False)
    return (
        visible.filter(program=program, status__in=REVIEWABLE)
        .select_related("applicant")
        .annotate(
            average=Avg("reviews__scores__value", filter=Q(reviews__recused=False)),
            reviewers=Count("reviews", filter=scored, distinct=True),
        )
        .order_by("-average", "pk")
    )
