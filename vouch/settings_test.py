"""Settings for the test suite: pytest's DJANGO_SETTINGS_MODULE (pyproject.toml).

vouch/settings.py reads the module's name and turns TESTING on: fast password hashing, badge verification inline
rather than as a job, jobs run immediately, plain static files, a development signing key. Everything else is the
project's settings, read from the environment as in production.
"""

from vouch.settings import *  # noqa: F403 - a settings module extends the project's settings
