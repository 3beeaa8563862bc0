"""Issue 18, item 21: what the admin shows as a label starts with a capital letter. Django
capitalizes a model field's verbose name in forms and column headings, but shows as
written an action's description and the label of a form field declared on an admin form;
column descriptions are written capitalized too, so they read the same wherever they
appear. (A list filter's title stays lower case: Django shows it as "By <title>".)"""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from membership.models import User

pytestmark = pytest.mark.django_db


def _starts_lowercase(text) -> bool:
    text = str(text).strip()
    return bool(text) and text[0].isalpha() and text[0].islower()


def _description(model, model_admin, item):
    if callable(item):
        function = item
    else:
        function = getattr(model_admin, item, None) or getattr(model, item, None)
    return getattr(function, "short_description", None)


def _lowercase_labels(request):
    found = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "procrastinate":
            continue  # the library's own job admin (for operators), in its own words
        where = f"{model._meta.label} ({type(model_admin).__name__})"
        for item in model_admin.list_display:
            description = _description(model, model_admin, item)
            if description is not None and _starts_lowercase(description):
                found.append(f"{where} column {item!r}: {description}")
        for action in model_admin.actions or ():
            description = _description(model, model_admin, action)
            if description is not None and _starts_lowercase(description):
                found.append(f"{where} action {action!r}: {description}")
        for name, field in model_admin.get_form(request).base_fields.items():
            if field.label is not None and _starts_lowercase(field.label):
                found.append(f"{where} form field {name!r}: {field.label}")
    for name, function in admin.site.actions:
        description = getattr(function, "short_description", "")
        if _starts_lowercase(description):
            found.append(f"site action {name}: {description}")
    return found


def test_every_admin_column_action_and_form_label_starts_with_a_capital():
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser(email="labels@example.org", password="x" * 12)
    assert _lowercase_labels(request) == []
