from __future__ import annotations

from django.contrib import admin

from badges.models import Badge


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "status", "public", "issuer_name", "last_checked_at", "created_at")
    list_filter = ("status", "public", "source_kind")
    search_fields = ("name", "issuer_name", "owner__username", "public_id")
    raw_id_fields = ("owner", "member_skill")
    # Verification writes these; editing them by hand would make the status a lie.
    readonly_fields = (
        "public_id",
        "status",
        "verification_errors",
        "verification_report",
        "identity",
        "source_kind",
        "source_url",
        "source_digest",
        "verified_at",
        "last_checked_at",
        "verification_requested_at",
        "created_at",
    )
    exclude = ("source_data", "source_text")
