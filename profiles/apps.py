from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Members and profiles"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from vouch import profile_cache

        # Every write to a table the public profile reads bumps the profile cache's generation (vouch/profile_cache.py).
        connection_created.connect(profile_cache.install, dispatch_uid="vouch.profile_cache")
