"""What the member's account page and data download show of exchanges (nsca composes
them into /account/): each application with its status and, for travelers, the trip's
balance, what was paid and what is due, with receipts. Never a letter."""

from decimal import Decimal

from django.db.models import Prefetch

from . import trip_payments
from .models import Application, TripPayment


def account_applications(user) -> list[Application]:
    applications = list(
        Application.objects.filter(applicant=user)
        .select_related("program")
        .prefetch_related(
            "program__installments",
            Prefetch(
                "trip_payments",
                queryset=TripPayment.objects.select_related("payment", "installment"),
            ),
        )
    )
    for application in applications:
        paid = [p for p in application.trip_payments.all() if p.paid_at]
        application.paid_payments = paid
        application.paid_total = sum((p.amount for p in paid), start=Decimal(0))
        application.balance_due = trip_payments.balance_owed(
            application, paid=application.paid_total
        )
        application.next_installments = (
            [
                i
                for i in application.program.installments.all()
                if not any(p.installment_id == i.pk for p in paid)
            ]
            if application.is_traveler
            else []
        )
    return applications


def export_applications(user) -> list[dict]:
    """The member's applications for their data download: their own answers and details,
    the referees they named (not the letters), the history and trip payments."""
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("program")
        .prefetch_related("answers__question", "references", "history", "trip_payments")
    )
    return [
        {
            "program": application.program.title,
            "status": application.status,
            "date_of_birth": application.date_of_birth,
            "school": application.school,
            "guardian_name": application.guardian_name,
            "guardian_email": application.guardian_email,
            "guardian_phone": application.guardian_phone,
            "consent_given_at": application.consent_given_at,
            "submitted_at": application.submitted_at,
            "answers": [
                {"question": a.question.text, "answer": a.text} for a in application.answers.all()
            ],
            "referees": [
                {
                    "name": r.referee_name,
                    "email": r.referee_email,
                    "relationship": r.relationship,
                    "letter_received": r.is_received,
                }
                for r in application.references.all()
            ],
            "history": [
                {"from": h.from_status, "to": h.to_status, "at": h.changed_at}
                for h in application.history.all()
            ],
            "trip_payments": [
                {"amount": p.amount, "paid_at": p.paid_at, "deposit": p.is_deposit}
                for p in application.trip_payments.all()
            ],
            "scholarship_credit": application.scholarship_credit,
        }
        for application in applications
    ]
