from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from profiles.models import Block, Profile, User

admin.site.register(User, UserAdmin)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "seniority", "visibility", "created_at")
    search_fields = ("user__username", "display_name")


admin.site.register(Block)
