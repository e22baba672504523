from django.contrib import admin

from skills.models import MemberSkill, Skill, SkillAlias


class SkillAliasInline(admin.TabularInline):
    model = SkillAlias
    extra = 1


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    """Staff moderate the taxonomy here: hide a skill (spam, abuse, a duplicate: no longer found or suggested, nobody
    can newly list it) or give a duplicate's spelling to the right skill as an alias."""

    list_display = ("name", "slug", "key", "kind", "hidden", "created_by", "created_at")
    list_filter = ("hidden", "kind")  # kind: how fast its endorsements go stale (docs/weighting.md, "Freshness")
    search_fields = ("name", "key")
    raw_id_fields = ("created_by",)
    readonly_fields = ("created_at",)
    inlines = [SkillAliasInline]
    actions = ["hide", "show"]

    @admin.action(description="Hide the selected skills")
    def hide(self, request, queryset):
        queryset.update(hidden=True)

    @admin.action(description="Show the selected skills again")
    def show(self, request, queryset):
        queryset.update(hidden=False)


@admin.register(MemberSkill)
class MemberSkillAdmin(admin.ModelAdmin):
    list_display = ("member", "skill", "position", "score", "endorsement_count")
    raw_id_fields = ("member", "skill")
