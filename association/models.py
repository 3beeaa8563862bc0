"""Who the association is: its name, contact details and texts, one row staff edit.

`Association.current()` is the one accessor every app uses for them (events' emails and
feeds, membership's emails and dues wording, the site's context processor). Its home city
is not stored here: the cities app owns places, and `City.is_home` says which is home.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .page_cache import SITE, computed_once_per_version


class Association(models.Model):
    """The one association this site belongs to (a single row, pk=1)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    mission = models.TextField(_("mission statement"), blank=True)
    aims = models.TextField(
        _("aims"), blank=True, help_text=_("One aim per paragraph; a blank line separates them.")
    )
    introduction = models.TextField(
        _("home page introduction"), blank=True, help_text=_("Shown on the home page.")
    )
    join_text = models.TextField(
        _("call to join"), blank=True, help_text=_("Shown beside the join button.")
    )
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    postal_address = models.TextField(
        _("postal address"),
        blank=True,
        help_text=_(
            "Where checks are mailed, as on an envelope: the street or P.O. box on one line, "
            "the city, state and ZIP code on the next. Shown in the footer of every page "
            "and email."
        ),
    )
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_(
            "As registered: checks are made payable to it and receipts show it (empty: "
            "the name above)."
        ),
    )
    tax_number = models.CharField(
        _("tax number"),
        max_length=40,
        blank=True,
        help_text=_("The Employer Identification Number (EIN) printed on receipts."),
    )
    meta_description = models.CharField(
        _("meta description"),
        max_length=300,
        blank=True,
        help_text=_("Default description for search engines and link previews."),
    )

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("association")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="association_single_row"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @property
    def receipt_name(self):
        return self.legal_name or self.name

    @property
    def postal_address_lines(self) -> list[str]:
        """The postal address as its lines, blank ones dropped (for a check's envelope, a
        plain-text email's footer)."""
        return [line.strip() for line in self.postal_address.splitlines() if line.strip()]

    @property
    def has_mailing_address(self) -> bool:
        """An address a letter reaches: a street or box line and a city, state and ZIP line.
        One line ("Norfolk, Virginia", as the demo has) is a place, not an address."""
        return len(self.postal_address_lines) >= 2

    def missing_details(self) -> list[str]:
        """What the site cannot do without and staff have not filled in yet: whom a check
        is payable to (the legal name), where it is mailed (the postal address, which US
        law also requires in every mailing) and the tax number receipts show. Empty when
        nothing is missing; `check --deploy` refuses to pass until it is. An address on one
        line ("Norfolk, Virginia", as the demo has) is a place, not somewhere a letter
        reaches: a postal address has a street or box line and a city, state and ZIP line."""
        complete = {
            _("legal name"): bool(self.legal_name.strip()),
            _("postal address"): self.has_mailing_address,
            _("tax number"): bool(self.tax_number.strip()),
        }
        return [str(label) for label, filled_in in complete.items() if not filled_in]

    @property
    def display_short_name(self):
        return self.short_name or self.name

    @property
    def aims_list(self):
        return [aim.strip() for aim in self.aims.split("\n\n") if aim.strip()]

    @classmethod
    def current(cls):
        """The association, read afresh; an unsaved default before any is configured.

        The context processor keeps it once per edit (association/page_cache.py's
        `computed_once_per_version`): an edit of it bumps the "site" scope, so every
        worker reads it afresh within a second.
        """
        return cls.objects.prefetch_related("social_links").filter(pk=1).first() or cls(
            name="Sister City Association"
        )

    @classmethod
    def kept(cls):
        """`current()`, kept once per edit and process, for pages and for the emails the
        outbox's worker builds by the thousand (order confirmations, venue notices): the
        worker, like a page, re-reads the scope's version at most once a second, so an
        edit is in what it builds within a second. The same instance is shared: read it
        only."""
        return computed_once_per_version("association", cls.current, scopes=[SITE])


class SocialLink(models.Model):
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="social_links"
    )
    label = models.CharField(_("label"), max_length=60, help_text=_('For example "Facebook".'))
    url = models.URLField(_("address"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("social link")
        verbose_name_plural = _("social links")
        ordering = ["position", "label"]

    def __str__(self):
        return self.label
