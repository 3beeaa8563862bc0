from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = "Membership"

    def ready(self):
        # Dues are something payments can take money for (payments imports no app).
        from . import dues_payments

        dues_payments.register()
