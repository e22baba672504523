from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from notifications.services import end_member_sockets
from profiles.models import Block, Organisation, OrganisationDomain, Profile, User


@admin.register(User)
class VouchUserAdmin(UserAdmin):
    """Django's user admin, plus: deactivating an account closes its live sockets (a new password does too, for
    every path: profiles.apps)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            end_member_sockets(obj.pk)

    @admin.action(description="Deactivate the selected accounts")
    def deactivate(self, request, queryset):
        for user_id in queryset.filter(is_active=True).values_list("pk", flat=True):
            end_member_sockets(user_id)
        queryset.update(is_active=False)

    actions = ["deactivate"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "seniority", "seniority_confirmed", "trust", "trust_seed", "visibility")
    search_fields = ("user__username", "display_name")
    list_filter = ("trust_seed", "seniority")
    # Trust is computed (endorsements.trust_graph); staff name starting points with trust_seed.
    readonly_fields = ("trust", "trust_computed_at", "seniority_confirmed_by")
    raw_id_fields = ("user",)


class OrganisationDomainInline(admin.TabularInline):
    model = OrganisationDomain
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Instance staff verify organisations here (or with `seed_trust --domain`): members with a verified
    e-mail address at one of the domains then have a verified workplace and are starting points of trust."""

    list_display = ("name", "verified", "verified_at", "created_at")
    list_filter = ("verified",)
    search_fields = ("name", "domains__domain")
    inlines = [OrganisationDomainInline]
    filter_horizontal = ("admins",)


admin.site.register(Block)
