"""The association's editable pages (the association itself is `association.models`).

Nothing about a particular association is written in Python: its pages are rows that staff
edit in the admin.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Page(models.Model):
    """An editable page such as About or History."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("Meta description and teaser.")
    )
    body = models.TextField(
        _("body"), help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    is_published = models.BooleanField(_("published"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.slug == "about":
            return reverse("about")
        return reverse("page", kwargs={"slug": self.slug})
