"""Who sees a delegate's sensitive fields and a household's background checks: the ONE
privacy rule of visits, used by every page, the admin, exports and emails.

Sensitive: a delegate's birth date, allergies, health notes and emergency contact; an
adult's background-check status, dates and details. They are seen only by
- the visit's coordinator (for that visit's delegates), and
- active staff with the `visits.hosting` permission (the "Visit coordinators" group).
Never by volunteers, other staff, or the host family (which is emailed only what it needs
to host: first name, age, diet and allergies). No page that shows them is ever cached:
they are all private views (`never_cache`), none marked `public_page`.
"""

from .models import Delegate, Visit

DELEGATE_SENSITIVE_FIELDS = (
    "birth_date",
    "allergies",
    "allergic_to_animals",
    "needs_smoke_free",
    "health_notes",
    "emergency_contact_name",
    "emergency_contact_phone",
)
CHECK_FIELDS = ("check_status", "check_requested_on", "check_expires_on", "check_notes")


def is_hosting_staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("visits.hosting")
    )


def may_coordinate(user, visit: Visit) -> bool:
    """Sees the visit's roster with sensitive fields, matches and confirms volunteers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return is_hosting_staff(user) or (user.is_staff and visit.is_coordinated_by(user))


def may_see_sensitive(user, delegate: Delegate) -> bool:
    return may_coordinate(user, delegate.visit)


def visits_coordinated_by(user):
    if is_hosting_staff(user):
        return Visit.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return Visit.objects.none()
    return Visit.objects.filter(coordinator=user)


def may_see_checks(user, household) -> bool:
    """Background-check results: hosting staff, and the coordinator of a visit the
    household hosts for."""
    if is_hosting_staff(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and household.matches.active().filter(visit__coordinator=user).exists()
    )
