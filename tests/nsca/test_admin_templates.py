"""Admin templates live in one place, templates/admin/<app>/..., where Django's admin looks
for a model's own `change_form.html` or `change_list.html` by itself."""

from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.template.loader import get_template

TEMPLATES = Path(settings.BASE_DIR) / "templates"
TEMPLATE_ATTRIBUTES = (
    "add_form_template",
    "change_form_template",
    "change_list_template",
    "delete_confirmation_template",
    "delete_selected_confirmation_template",
    "object_history_template",
    "popup_response_template",
)


def test_admin_templates_are_only_under_templates_admin():
    elsewhere = [
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*")
        if path.is_dir() and path.name == "admin" and path.parent != TEMPLATES
    ]
    assert not elsewhere


def test_a_model_admins_own_templates_are_under_admin_app_and_exist():
    # Set by the project's own classes (Django's UserAdmin names its own add form).
    named = {
        (model_admin, attribute, vars(klass)[attribute])
        for model_admin in admin.site._registry.values()
        for klass in type(model_admin).__mro__
        if klass.__module__.split(".")[0] in settings.PROJECT_APPS
        for attribute in TEMPLATE_ATTRIBUTES
        if vars(klass).get(attribute)
    }
    for model_admin, attribute, name in named:
        assert name.startswith(f"admin/{model_admin.opts.app_label}/"), (model_admin, attribute)
        get_template(name)


def test_the_membership_list_finds_its_template_by_convention(admin_client):
    response = admin_client.get("/admin/membership/membership/")
    assert "admin/membership/membership/change_list.html" in [t.name for t in response.templates]
