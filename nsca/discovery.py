"""Find the modules each project app contributes (demo data, jobs, sitemaps).

An app takes part by having the module: `<app>/demo.py` with `load(*, stdout)`,
`<app>/jobs.py` with `JOBS`, `<app>/sitemaps.py` with `SITEMAPS`. Apps are visited in
the dependency order of `settings.PROJECT_APPS`.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings


def project_app_modules(name):
    modules = []
    for app in settings.PROJECT_APPS:
        if find_spec(f"{app}.{name}") is not None:
            modules.append(import_module(f"{app}.{name}"))
    return modules
