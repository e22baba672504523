"""Skill operations: resolving spellings to canonical skills, a member's list of skills."""

from __future__ import annotations

import re
from datetime import timedelta
from difflib import SequenceMatcher

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from profiles.models import User
from skills.error_codes import SkillErrorCode
from skills.models import MemberSkill, Skill, SkillAlias
from skills.normalise import MAX_LENGTH, clean_name, key_for, slug_for
from vouch.errors import Code, not_found


def find_skill(name: str) -> Skill | None:
    """The canonical skill for a spelling (name or alias), or None."""
    key = key_for(name)
    skill = Skill.objects.filter(key=key).first()
    if skill is None:
        alias = SkillAlias.objects.select_related("skill").filter(key=key).first()
        skill = alias.skill if alias else None
    return skill


def _free_slug(base: str) -> str:
    slug, n = base, 1
    while Skill.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# Whole words (of the normalised name) that no new skill may contain, beside SKILL_BLOCKED_WORDS: spam markers.
BLOCKED_WORDS = frozenset({"casino", "viagra", "porn", "escort", "xxx"})
# Links and addresses: a skill name is not an advert.
_LINKISH = re.compile(r"://|www\.|@|\.(?:com|ru|xyz|top|click)\b", re.IGNORECASE)


def _not_allowed(field: str) -> ValidationError:
    return ValidationError(
        {field: ValidationError("That skill name is not available.", code=SkillErrorCode.SKILL_NOT_ALLOWED)}
    )


def _check_new_name(actor: User, display: str, field: str) -> None:
    """New names to the taxonomy (a member's, not the seeded ones): moderated, and at most
    SKILLS_CREATED_PER_DAY per member in any 24 hours. The caller holds the member's row lock."""
    words = set(re.split(r"[^\w]+", key_for(display)))
    blocked = BLOCKED_WORDS | {w.strip().casefold() for w in settings.SKILL_BLOCKED_WORDS if w.strip()}
    if _LINKISH.search(display) or words & blocked:
        raise _not_allowed(field)
    since = timezone.now() - timedelta(days=1)
    made = Skill.objects.filter(created_by=actor, created_at__gte=since).count()
    if made >= settings.SKILLS_CREATED_PER_DAY:
        raise ValidationError(
            {
                field: ValidationError(
                    f"You can add at most {settings.SKILLS_CREATED_PER_DAY} new skills a day; "
                    "pick an existing one or try again tomorrow.",
                    code=Code.RATE_LIMITED,
                )
            }
        )


def get_or_create_skill(name: str, *, field: str = "name", actor: User | None = None) -> Skill:
    """The skill a spelling means, created if new. With `actor` (a member adding it), a hidden skill is refused
    and a new name is moderated and counted against the member's daily cap."""
    display = clean_name(name, field=field)
    existing = find_skill(display)
    if existing is not None:
        if existing.hidden and actor is not None:
            raise _not_allowed(field)
        return existing
    if actor is not None:
        _check_new_name(actor, display, field)
    key, base = key_for(display), slug_for(display)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Skill.objects.create(name=display, key=key, slug=_free_slug(base), created_by=actor)
        except IntegrityError:
            # Someone created this skill a moment ago (same key): use theirs. Or another skill
            # took the slug we picked ("C++" and "C plus plus"): pick the next free one.
            created = Skill.objects.filter(key=key).first()
            if created is not None:
                return created
    raise ValidationError({field: ValidationError("Could not create that skill; try again.", code=Code.CONFLICT)})


def search_skills(search: str, *, first: int = 10) -> QuerySet[Skill]:
    """Autocomplete: case-insensitive prefix match on names and aliases, most-listed first."""
    key = key_for(search or "")
    first = max(1, min(first, 50))
    qs = Skill.objects.filter(hidden=False)
    if key:
        alias_ids = SkillAlias.objects.filter(key__startswith=key).values("skill_id")
        qs = qs.filter(Q(key__startswith=key) | Q(id__in=alias_ids) | Q(key__contains=f" {key}"))
    return qs.annotate(listed=Count("member_skills")).order_by("-listed", "name")[:first]


SIMILAR_POOL = 5000  # on SQLite, the most-listed skills compared in Python


def similar_skills(name: str, *, first: int = 5) -> list[Skill]:
    """ "Did you mean": the skills whose name or alias is closest to a spelling that matched nothing.

    PostgreSQL ranks by pg_trgm similarity of the normalised key (GIN-indexed, `%` operator, so the
    taxonomy is not scanned); SQLite, the newcomer default, compares the most-listed skills in Python.
    """
    key = key_for(name or "")[:MAX_LENGTH]
    first = max(1, min(first, 20))
    if len(key) < 2:
        return []
    if connection.vendor == "postgresql":
        sql = (
            "SELECT skill_id FROM ("
            "  SELECT id AS skill_id, similarity(key, %s) AS s FROM skills_skill WHERE key %% %s"
            "  UNION ALL"
            "  SELECT skill_id, similarity(key, %s) AS s FROM skills_skillalias WHERE key %% %s"
            ") AS found GROUP BY skill_id ORDER BY max(s) DESC, skill_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, key, key, key, first])
            ids = [row[0] for row in cursor.fetchall()]
        by_id = Skill.objects.filter(hidden=False).in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]
    candidates: dict[str, int] = {}
    skills = (Skill.objects.filter(hidden=False).annotate(listed=Count("member_skills")).order_by("-listed", "id"))[
        :SIMILAR_POOL
    ]
    for skill_id, skill_key in skills.values_list("id", "key"):
        candidates.setdefault(skill_key, skill_id)
    for skill_id, alias_key in SkillAlias.objects.filter(skill__in=skills.values("id")).values_list("skill_id", "key"):
        candidates.setdefault(alias_key, skill_id)
    scored: dict[int, float] = {}
    for candidate, skill_id in candidates.items():
        ratio = SequenceMatcher(None, key, candidate).ratio()
        if ratio >= 0.6:
            scored[skill_id] = max(scored.get(skill_id, 0.0), ratio)
    ids = sorted(scored, key=lambda i: (-scored[i], i))[:first]
    by_id = Skill.objects.in_bulk(ids)
    return [by_id[i] for i in ids]


def _lock_member(actor: User) -> None:
    # Serialises concurrent changes to one member's list (the 50-skill cap, positions).
    User.objects.select_for_update().filter(pk=actor.pk).first()


@transaction.atomic
def add_skill(actor: User, *, name: str) -> MemberSkill:
    _lock_member(actor)  # first: the daily cap on new skill names is counted under it
    existing = find_skill(clean_name(name))
    if existing is not None and MemberSkill.objects.filter(member=actor, skill=existing).exists():
        raise ValidationError(
            {"name": ValidationError(f"You already list {existing.name}.", code=SkillErrorCode.DUPLICATE_SKILL)}
        )
    count = MemberSkill.objects.filter(member=actor).count()
    if count >= settings.MAX_SKILLS_PER_MEMBER:
        raise ValidationError(
            {
                "name": ValidationError(
                    f"A member lists at most {settings.MAX_SKILLS_PER_MEMBER} skills.",
                    code=SkillErrorCode.TOO_MANY_SKILLS,
                )
            }
        )
    skill = get_or_create_skill(name, actor=actor)
    last = MemberSkill.objects.filter(member=actor).order_by("-position").values_list("position", flat=True).first()
    return MemberSkill.objects.create(member=actor, skill=skill, position=(last + 1) if last is not None else 0)


def own_member_skill(
    actor: User, member_skill_id: int, *, field: str = "memberSkillId", lock: bool = False
) -> MemberSkill:
    qs = MemberSkill.objects.select_related("skill").filter(pk=member_skill_id, member=actor)
    if lock:
        qs = qs.select_for_update()
    ms = qs.first()
    if ms is None:
        raise not_found(field, "skill")
    return ms


@transaction.atomic
def remove_skill(actor: User, *, member_skill_id: int) -> None:
    """Remove a listed skill. Its endorsements go with it (they were for this listing)."""
    _lock_member(actor)
    ms = own_member_skill(actor, member_skill_id)
    ms.delete()


@transaction.atomic
def reorder_skills(actor: User, *, member_skill_ids: list[int]) -> list[MemberSkill]:
    """Set the order of the actor's skills; the ids must be exactly their listed skills."""
    _lock_member(actor)
    current = {ms.pk: ms for ms in MemberSkill.objects.filter(member=actor)}
    if len(member_skill_ids) != len(set(member_skill_ids)):
        raise ValidationError({"memberSkillIds": ValidationError("An id appears twice.", code=Code.DUPLICATE_ID)})
    if set(member_skill_ids) - set(current):
        raise not_found("memberSkillIds", "skill")
    if set(member_skill_ids) != set(current):
        raise ValidationError(
            {
                "memberSkillIds": ValidationError(
                    "List every one of your skills exactly once.", code=SkillErrorCode.INCOMPLETE_ORDER
                )
            }
        )
    changed = []
    for position, pk in enumerate(member_skill_ids):
        ms = current[pk]
        if ms.position != position:
            ms.position = position
            changed.append(ms)
    MemberSkill.objects.bulk_update(changed, ["position"])
    return [current[pk] for pk in member_skill_ids]


@transaction.atomic
def set_endorsements_enabled(actor: User, *, member_skill_id: int, enabled: bool) -> MemberSkill:
    ms = own_member_skill(actor, member_skill_id, lock=True)
    ms.endorsements_enabled = enabled
    ms.save(update_fields=["endorsements_enabled"])
    return ms


def ensure_taxonomy() -> None:
    """Create the starting taxonomy's skills and aliases (idempotent)."""
    from skills.taxonomy import KINDS, TAXONOMY

    for name, aliases in TAXONOMY.items():
        skill = get_or_create_skill(name)
        if name in KINDS and skill.kind != KINDS[name]:
            Skill.objects.filter(pk=skill.pk, kind="GENERAL").update(kind=KINDS[name])
        for alias in aliases:
            key = key_for(alias)
            if key != skill.key and not Skill.objects.filter(key=key).exists():
                SkillAlias.objects.get_or_create(key=key, defaults={"skill": skill})
