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


class EndorsementPolicy(models.TextChoices):
    """Who may endorse a member (docs/endorsements.md, "Who may endorse me"). Someone the member asked
    (a request from the member to them, open or answered) may always endorse and answer."""

    ANYONE = "ANYONE", "Anyone signed in"
    ORGANISATION_AND_ASKED = "ORGANISATION_AND_ASKED", "People at my verified organisation, and people I asked"
    ONLY_ASKED = "ONLY_ASKED", "Only people I asked"


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
    # Trust (docs/weighting.md, "Trust"): written only by endorsements.trust_graph. `trust` in [0, 1] is
    # what flows to the member from the starting points; `trust_seed` makes the member one (seed_trust).
    trust = models.FloatField(default=0.0)
    trust_seed = models.BooleanField(default=False)
    trust_computed_at = models.DateTimeField(null=True, blank=True)
    # Seniority confirmed by an admin of the member's verified organisation, or by instance staff:
    # the level confirmed (it counts in full only while it equals `seniority`) and who confirmed it.
    seniority_confirmed = models.CharField(max_length=12, choices=Seniority.choices, blank=True)
    seniority_confirmed_by = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where each notification kind goes: {kind: LIVE_ONLY | EMAIL | DIGEST | OFF}; kinds not listed take the defaults
    # in notifications.channels.DEFAULT_CHANNELS.
    notification_channels = models.JSONField(default=dict, blank=True)
    # Endorsement controls (endorsements.policy): who may endorse the member, and whether new endorsements
    # wait for the member's review (Endorsement.pending_review) before they show or count.
    who_may_endorse = models.CharField(
        max_length=24, choices=EndorsementPolicy.choices, default=EndorsementPolicy.ANYONE
    )
    review_before_showing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or self.user.username

    @property
    def name(self) -> str:
        return self.display_name or self.user.username


class Organisation(models.Model):
    """A workplace. Members holding a verified e-mail address at one of its domains work there;
    when the organisation is `verified` (by instance staff: admin or `seed_trust`), that is a
    verified workplace and its members are starting points of trust (docs/weighting.md)."""

    name = models.CharField(max_length=100)
    verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Members who may confirm the seniority of the organisation's verified members.
    admins = models.ManyToManyField(User, blank=True, related_name="administered_organisations")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class OrganisationDomain(models.Model):
    """An e-mail domain of an organisation (lower case, no leading @); sub-domains belong to it too."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain


class Block(models.Model):
    """`blocker` does not accept endorsements (or requests) from `blocked`."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="uniq_block")]
