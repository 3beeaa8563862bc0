"""What each project app contributes to the site as a whole: its periodic jobs, its demo
content and its sitemaps.

An app takes part the way it takes part in the admin: its module (`<app>/tasks.py`,
`<app>/demo.py`, `<app>/sitemaps.py`) registers what it has when it is imported, and the
one that uses them (the periodic task, `load_demo`, the sitemap view) first imports every app's
module with Django's `autodiscover_modules`.

They are read in the order of INSTALLED_APPS, which lists the project apps first, in
dependency order (settings.PROJECT_APPS): payments' jobs settle a late card payment before
events' expire its hold, and cities' demo rows exist before events' refer to them. Within
an app, in the order registered. The order does not depend on which module happened to
be imported first.
"""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules


class Registry:
    """Things the apps register from `<app>/<module_name>.py`, each under a unique name."""

    def __init__(self, module_name):
        self.module_name = module_name
        self._registered = {}  # name -> item, in the order registered

    def register(self, item=None, *, name=None):
        """Register `item` under `name` (by default its dotted path); usable as a decorator,
        bare (`@jobs.register`) or with a name (`@sitemaps.register(name="events")`)."""
        if item is None:
            return lambda item: self.register(item, name=name)
        name = name or f"{item.__module__}.{item.__qualname__}"
        if self._registered.get(name, item) is not item:
            raise ImproperlyConfigured(f"{name!r} is registered twice in {self.module_name}.")
        self._registered[name] = item
        return item

    def items(self):
        """Every app's (name, item) pairs, after importing each app's module."""
        autodiscover_modules(self.module_name)
        position = {config.name: index for index, config in enumerate(apps.get_app_configs())}

        def app_position(entry):
            config = apps.get_containing_app_config(entry[1].__module__)
            return position[config.name] if config else len(position)

        # sorted() is stable: within an app, registration order stands.
        return sorted(self._registered.items(), key=app_position)

    def __iter__(self):
        return (item for _name, item in self.items())


# `<app>/tasks.py`: callables taking `now`, run in order by the periodic task
# `association.run_periodic_jobs` (association/tasks.py).
periodic_jobs = Registry("tasks")
# `<app>/demo.py`: a `load(*, stdout)` run by `manage.py load_demo`.
demo_loaders = Registry("demo")
# `<app>/sitemaps.py`: Sitemap classes, each under its section's name.
sitemaps = Registry("sitemaps")
