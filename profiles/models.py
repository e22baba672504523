from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from profiles.validators import username_validator, validate_not_reserved


class Seniority(models.TextChoices):
    """The ladder from the API contract. Order matters: the weighting reads the rank."""

    INTERN = "INTERN", "Intern"
    JUNIOR = "JUNIOR", "Junior"
    MID = "MID", "Mid-level"
    SENIOR = "SENIOR", "Senior"
    LEAD = "LEAD", "Lead"
    MANAGER = "MANAGER", "Manager"
    DIRECTOR = "DIRECTOR", "Director"
    EXECUTIVE = "EXECUTIVE", "Executive"

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


class Visibility(models.TextChoices):
    PUBLIC = "PUBLIC", "Anyone"
    MEMBERS = "MEMBERS", "Signed-in members only"


class User(AbstractUser):
    """The account. Usernames are lower-case handles used in profile URLs."""

    username = models.CharField(
        max_length=30,
        unique=True,
        validators=[username_validator, validate_not_reserved],
        error_messages={"unique": "That username is taken."},
    )

    class Meta:
        db_table = "profiles_user"


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    headline = models.CharField(max_length=160, blank=True)
    seniority = models.CharField(max_length=12, choices=Seniority.choices, default=Seniority.MID)
    organisation = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=100, blank=True)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    # Thumbnails produced by profiles.avatars: the original upload is never stored.
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    avatar_small = models.ImageField(upload_to="avatars/", blank=True)
    # Notification kinds the member does not want pushed live (still stored).
    muted_kinds = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or self.user.username

    @property
    def name(self) -> str:
        return self.display_name or self.user.username


class Block(models.Model):
    """`blocker` does not accept endorsements (or requests) from `blocked`."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="uniq_block")]
