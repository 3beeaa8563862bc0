"""Who translates what, and what needs a translator's look again.

- A translation "needs review" when the English of its field changed after it was written
  (`StaleTranslation`, kept by translations/review.py): the translation still shows (a
  reader sees the older German rather than English), and translators find it listed.
- A "Partner editor" is an account that edits the translations of one partnership's pages
  (its story, committee, projects, milestones, photos' captions) and nothing else
  (`PartnerEditor`; translations/partner_editors.py holds the rule)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from cities.models import Partnership


class StaleTranslation(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=60)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    since = models.DateTimeField(_("English changed"), auto_now_add=True)
    # The partnership the item belongs to, when it does: what a partner editor may see.
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partnership"),
    )

    class Meta:
        verbose_name = _("translation to review")
        verbose_name_plural = _("translations to review")
        ordering = ["language", "-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "language"],
                name="stale_translation_once",
            )
        ]

    def __str__(self):
        return f"{self.content_type.name} #{self.object_id}: {self.field} ({self.language})"


class PartnerEditor(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_editor",
        verbose_name=_("account"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="partner_editors",
        verbose_name=_("partnership"),
    )

    class Meta:
        verbose_name = _("partner editor")
        verbose_name_plural = _("partner editors")

    def __str__(self):
        return f"{self.user} ({self.partnership})"
