"""Badge collections: a member groups their badges into named collections, shared publicly or kept private (the
backpack feature of Badgr and the Mozilla Backpack). Rules in backpack/services.py and permissions.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from badges.models import new_public_id


class BadgeCollection(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_collections")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=500, blank=True)
    public = models.BooleanField(default=False)
    badges = models.ManyToManyField("badges.Badge", related_name="collections", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="uniq_collection_name_per_owner")]
        indexes = [models.Index(fields=["owner", "id"], name="collection_owner_idx")]

    def __str__(self) -> str:
        return self.name
