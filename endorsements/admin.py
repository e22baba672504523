from __future__ import annotations

from django.contrib import admin

from endorsements.models import DailyCount, Endorsement, EndorsementRequest


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    # Weights are written by endorsements.services only (re-weigh with `manage.py reweigh_endorsements`).
    list_display = (
        "id",
        "endorser",
        "member",
        "skill",
        "relationship",
        "weight",
        "from_established",
        "hidden",
        "created_at",
    )
    list_filter = ("relationship", "hidden", "from_established")
    search_fields = ("endorser__username", "member__username", "skill__name")
    raw_id_fields = ("endorser", "member", "member_skill", "skill")
    readonly_fields = ("weight", "weight_inputs", "explanation", "from_established", "weighed_at", "created_at")


@admin.register(EndorsementRequest)
class EndorsementRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "requester", "recipient", "skill", "relationship", "status", "created_at", "expires_at")
    list_filter = ("status", "relationship")
    search_fields = ("requester__username", "recipient__username", "skill__name")
    raw_id_fields = ("requester", "recipient", "member_skill", "skill", "endorsement")


@admin.register(DailyCount)
class DailyCountAdmin(admin.ModelAdmin):
    list_display = ("member", "kind", "day", "count")
    raw_id_fields = ("member",)
