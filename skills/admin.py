from django.contrib import admin

from skills.models import MemberSkill, Skill, SkillAlias


class SkillAliasInline(admin.TabularInline):
    model = SkillAlias
    extra = 1


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "key")
    search_fields = ("name", "key")
    inlines = [SkillAliasInline]


@admin.register(MemberSkill)
class MemberSkillAdmin(admin.ModelAdmin):
    list_display = ("member", "skill", "position", "score", "endorsement_count")
    raw_id_fields = ("member", "skill")
