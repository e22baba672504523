from __future__ import annotations

from django.conf import settings
from django.db import models


class SkillKind(models.TextChoices):
    """How fast a skill's endorsements go stale (endorsements.weighting.HALF_LIFE_DAYS; docs/weighting.md)."""

    TOOL = "TOOL", "Fast-moving tool or platform (half-life 2 years)"
    GENERAL = "GENERAL", "Skill (half-life 3 years)"
    LASTING = "LASTING", "Lasting skill (half-life 6 years)"


class Skill(models.Model):
    """A canonical skill. `key` is the normalised name that spellings are matched on."""

    name = models.CharField(max_length=50)
    kind = models.CharField(max_length=8, choices=SkillKind.choices, default=SkillKind.GENERAL)
    slug = models.SlugField(max_length=60, unique=True)
    key = models.CharField(max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who added the name to the taxonomy (None: the seeded taxonomy, or the member is gone): the per-member daily
    # cap on new skills counts these (docs/security.md, "Abuse limits").
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Hidden by staff (spam, abuse, a duplicate): no longer suggested or found, and nobody can newly list it;
    # listings made before stay with their endorsements.
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SkillAlias(models.Model):
    """Another spelling that means the same skill ("js" -> JavaScript, "k8s" -> Kubernetes)."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="aliases")
    key = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return f"{self.key} -> {self.skill}"


class MemberSkill(models.Model):
    """A skill as listed by one member, with its denormalised public score and count.

    `score` and `endorsement_count` count visible endorsements only; endorsements.services
    recomputes them whenever an endorsement is made, withdrawn, hidden, shown or re-weighed,
    so reading a profile or ranking members never aggregates endorsements.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="member_skills")
    position = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    endorsement_count = models.PositiveIntegerField(default=0)
    endorsements_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "skill"], name="uniq_member_skill")]
        indexes = [
            # members(skill:) ranking: one index range scan per skill, highest score first.
            models.Index(fields=["skill", "-score", "id"], name="memberskill_rank_idx"),
            models.Index(fields=["member", "position"], name="memberskill_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.skill}"
