"""What the apps register from `<app>/tasks.py`, `demo.py` and `sitemaps.py`, found by
Django's `autodiscover_modules` and read in dependency order (association/registry.py)."""

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule

from association.registry import Registry, demo_loaders, periodic_jobs, sitemaps


def test_installed_apps_open_with_the_project_apps_in_dependency_order():
    assert settings.INSTALLED_APPS[: len(settings.PROJECT_APPS)] == settings.PROJECT_APPS


@pytest.mark.parametrize("registry", [periodic_jobs, demo_loaders, sitemaps])
def test_every_app_module_registers_what_it_has_in_dependency_order(registry):
    """Each app with the module takes part, and the apps come in PROJECT_APPS order."""
    having = [
        app
        for app in settings.PROJECT_APPS
        if module_has_submodule(apps.get_app_config(app).module, registry.module_name)
        # association/tasks.py runs the periodic jobs; it registers none of its own.
        and not (registry is periodic_jobs and app == "association")
    ]
    order = []
    for item in registry:
        app = item.__module__.split(".")[0]
        if not order or order[-1] != app:
            order.append(app)
    assert order == having


def test_payments_settle_late_payments_before_events_expire_their_holds():
    names = [name for name, _job in periodic_jobs.items()]
    assert names.index("payments.tasks.settle_lapsed_card_payments") < names.index(
        "tickets.tasks.expire_stale_holds"
    )


def test_sitemaps_keep_their_section_names():
    assert {"static", "pages", "events", "event-lists", "news", "membership"} <= set(
        dict(sitemaps.items())
    )


def test_order_follows_the_apps_not_which_module_was_imported_first():
    def made_in(module):
        def job(*, now):
            return module

        job.__module__ = module
        return job

    registry = Registry("no_such_module")
    events_job = registry.register(made_in("tickets.tasks"), name="events.job")
    payments_job = registry.register(made_in("payments.tasks"), name="payments.job")
    second_events_job = registry.register(made_in("tickets.tasks"), name="events.later")
    assert list(registry) == [payments_job, events_job, second_events_job]


def test_one_name_registered_for_two_things_is_refused():
    registry = Registry("no_such_module")
    registry.register(str, name="thing")
    registry.register(str, name="thing")  # the same module imported again: harmless
    with pytest.raises(ImproperlyConfigured):
        registry.register(int, name="thing")
