from django.apps import AppConfig


class BackpackConfig(AppConfig):
    name = "backpack"
    default_auto_field = "django.db.models.BigAutoField"
