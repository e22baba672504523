from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Members and profiles"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from vouch import profile_cache

        # Every write to a table the public profile reads bumps the profile cache's generation (vouch/profile_cache.py).
        connection_created.connect(profile_cache.install, dispatch_uid="vouch.profile_cache")

        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        # A new password ends every login session of the member, whichever path set it (pages, the headless app,
        # the admin, `manage.py changepassword`, a shell): their live sockets close after commit.
        post_save.connect(_password_changed, sender=get_user_model(), dispatch_uid="vouch.password_ends_sockets")


def _password_changed(sender: type, instance: object, created: bool, **kwargs: object) -> None:
    # set_password() keeps the raw password in _password until save() has run (AbstractBaseUser.save clears it
    # after this signal), so a non-None value here means this save stores a new password.
    if created or getattr(instance, "_password", None) is None:
        return
    from notifications.services import end_member_sockets

    end_member_sockets(instance.pk)  # type: ignore[attr-defined]
