"""Skill insights: private demand signals and the daily rollups every read comes from (docs/insights.md).

`DemandSignal` rows are private: one per (kind, skill, day, visitor), the visitor a keyed hash that changes every
day, so a visitor is counted once per skill per day and cannot be followed from one day to the next. They are read
by the rollup job only and deleted after SIGNAL_RETENTION_DAYS. `SkillDay` and `SkillIssuerDay` are the daily
aggregates the page and the API read (bounded work per request); counts under settings.INSIGHTS_MIN_COUNT are
never shown (the readers suppress them). `SkillNeighbour` holds which skills members list together.
"""

from __future__ import annotations

from django.db import models


class SignalKind(models.TextChoices):
    SEARCH = "SEARCH", "Search by skill"
    VIEW = "VIEW", "Profile view of a member listing the skill"


class DemandSignal(models.Model):
    kind = models.CharField(max_length=6, choices=SignalKind.choices)
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visitor = models.CharField(max_length=32)  # keyed hash of the visitor and the day (insights.services)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "skill", "day", "visitor"], name="uniq_demand_signal_per_day")
        ]
        indexes = [
            models.Index(fields=["day", "kind", "skill"], name="demand_signal_rollup_idx"),
            models.Index(fields=["visitor", "day"], name="demand_signal_visitor_idx"),  # the per-visitor cap
        ]


class SkillDay(models.Model):
    """One skill's aggregates on one UTC day: demand (distinct visitors / requesters) and supply (a snapshot)."""

    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    searches = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)  # distinct members who asked for an endorsement of it
    listing = models.PositiveIntegerField(default=0)  # active members listing it
    strong = models.PositiveIntegerField(default=0)  # … whose score in it is at least INSIGHTS_STRONG_SCORE
    badges = models.PositiveIntegerField(default=0)  # verified badges (evidence) attached to listings of it

    class Meta:
        constraints = [models.UniqueConstraint(fields=["skill", "day"], name="uniq_skill_day")]
        indexes = [models.Index(fields=["day", "skill"], name="skill_day_idx")]


class SkillIssuerDay(models.Model):
    """How many verified badges for a skill one issuer stands behind (snapshot on `day`)."""

    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    issuer = models.CharField(max_length=300)
    badges = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["skill", "day", "issuer"], name="uniq_skill_issuer_day")]


class SkillNeighbour(models.Model):
    """`members` active members list both `skill` and `other` (the rollup keeps the strongest pairs)."""

    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    members = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["skill", "other"], name="uniq_skill_neighbour")]


class ViewsOptOut(models.Model):
    """The member opted out of being counted: views of their profile add no demand signal."""

    member = models.OneToOneField("profiles.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
