from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """Something that concerns a member, stored first so nothing is lost while they are offline."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it was mailed (on its own or in a digest): a job that runs twice sends it once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class MailState(models.Model):
    """A member's e-mail bookkeeping: the digest claim, a stopped address, unsubscribe-token revocation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # The digest is due when this has passed (null: now). Claimed by a conditional UPDATE that moves it one
    # interval on, so several workers never send the same digest twice.
    next_digest_at = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    # A permanently failing address (the server refused it): no more mail to it until the member resumes or
    # changes address. Shown on the settings page.
    stopped_address = models.CharField(max_length=254, blank=True)
    stopped_reason = models.CharField(max_length=500, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # Part of every unsubscribe token: bumping it revokes every link sent so far.
    token_generation = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"mail state of {self.user_id}"
