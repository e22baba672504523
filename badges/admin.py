from __future__ import annotations

from django.contrib import admin

from badges.models import Badge, TrustedIssuer


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "status", "issuer_trust", "public", "issuer_name", "last_checked_at", "created_at")
    list_filter = ("status", "issuer_trust", "public", "source_kind")
    search_fields = ("name", "issuer_name", "owner__username", "public_id")
    raw_id_fields = ("owner", "member_skill")
    # Verification writes these; editing them by hand would make the status a lie.
    readonly_fields = (
        "public_id",
        "status",
        "verification_errors",
        "verification_report",
        "identity",
        "issuer_id",
        "issuer_trust",
        "issuer_confirmed_name",
        "key_fingerprint",
        "source_kind",
        "source_url",
        "source_digest",
        "verified_at",
        "last_checked_at",
        "verification_requested_at",
        "created_at",
    )
    exclude = ("source_data", "source_text")


@admin.register(TrustedIssuer)
class TrustedIssuerAdmin(admin.ModelAdmin):
    """The issuer trust registry. Saving or deleting goes through badges.trust, which re-evaluates the badges the
    entry covers (and the endorsement weights that depend on them)."""

    list_display = ("name", "kind", "value", "created_by", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name", "value")
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        from badges import trust

        if change:
            old = TrustedIssuer.objects.filter(pk=obj.pk).values_list("kind", "value").first()
            if old and old != (obj.kind, obj.value):
                trust.remove_trusted_issuer(request.user, kind=old[0], value=old[1])
        entry = trust.set_trusted_issuer(
            request.user,
            kind=obj.kind,
            value=obj.value,
            name=obj.name,
            pinned_keys=obj.pinned_keys or [],
            note=obj.note,
        )
        obj.pk = entry.pk

    def delete_model(self, request, obj):
        from badges import trust

        trust.remove_trusted_issuer(request.user, kind=obj.kind, value=obj.value)

    def delete_queryset(self, request, queryset):
        for obj in list(queryset):
            self.delete_model(request, obj)
