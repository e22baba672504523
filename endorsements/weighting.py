"""How much one endorsement counts, and how endorsements add up to a score.

The formula is described for people in docs/weighting.md; this module is its only
implementation. Two pure functions carry it:

    weigh(inputs)            -> Weighing(weight, established, explanation parts)
    score(established, pooled) -> the MemberSkill.score of a set of visible weights

No database access here: endorsements.signals reads an endorser's signals (the inputs),
endorsements.trust computes trust from the graph, and endorsements.scoring writes weights
and scores.

weight = corroborated seniority × relationship × standing-in-the-skill × trust

* seniority is declared, but counts in full only when corroborated (confirmed by the
  endorser's verified organisation or staff, or by trusted colleagues of that organisation
  endorsing them); otherwise no more than a mid-level's;
* relationship is declared per endorsement; a claimed manager inside one verified
  organisation counts as one only when the other side agrees, else as a peer;
* standing: the endorser lists the skill, is endorsed for it, or holds a verified badge for it;
* trust is the endorser's trust as it flows from the starting points (endorsements.trust),
  shared out when they vouch for more than BREADTH members. Endorsers below TRUSTED_MIN count
  TRUST_FLOOR AND are pooled: all of them together add at most POOL_CAP to a listing, however
  many there are — what bounds a ring that no trusted member vouches for.

weight is then multiplied by its freshness: 0.5 ** (age / half-life of the skill's kind), never below
FRESHNESS_FLOOR, where age runs from when it was given or last re-confirmed (docs/weighting.md, "Freshness").

score = 100 × (1 − e^(−total / SCALE)),  total = Σ trusted weights + min(POOL_CAP, Σ pooled weights)

(`established` in names and the `from_established` column mean "counts in full", i.e. trusted.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from profiles.models import Seniority

# --- the constants of the formula (docs/weighting.md explains each) ----------------------
SENIORITY_FACTOR: dict[str, float] = {
    Seniority.INTERN: 0.5,
    Seniority.JUNIOR: 0.7,
    Seniority.MID: 1.0,
    Seniority.SENIOR: 1.3,
    Seniority.LEAD: 1.6,
    Seniority.MANAGER: 2.0,
    Seniority.DIRECTOR: 2.2,
    Seniority.EXECUTIVE: 2.4,
}
SENIORITY_LABEL: dict[str, str] = {
    Seniority.INTERN: "Intern",
    Seniority.JUNIOR: "Junior",
    Seniority.MID: "Mid-level",
    Seniority.SENIOR: "Senior",
    Seniority.LEAD: "Lead",
    Seniority.MANAGER: "Manager",
    Seniority.DIRECTOR: "Director",
    Seniority.EXECUTIVE: "Executive",
}
# Keys are endorsements.models.Relationship values (plain strings: no model import here).
RELATIONSHIP_FACTOR: dict[str, float] = {"MANAGER": 1.5, "REPORT": 1.2, "PEER": 1.2, "OTHER": 1.0}

STANDING_LISTS = 1.1  # the endorser lists the skill themselves
STANDING_ENDORSED_MAX = 1.5  # … and is endorsed for it (graded by their own score up to STANDING_FULL_SCORE)
STANDING_FULL_SCORE = 25.0  # roughly one trusted manager's endorsement
STANDING_BADGE = 1.5  # the endorser holds a verified badge for the skill

UNCORROBORATED_CEILING = Seniority.MID  # what uncorroborated seniority counts as, at most
CORROBORATORS = 2  # trusted colleagues (same verified organisation) whose endorsements corroborate seniority
TRUSTED_MIN = 0.25  # endorser trust from which an endorsement counts in full (not pooled)
TRUST_FLOOR = 0.1  # the trust factor of an endorser below TRUSTED_MIN
BREADTH = 30  # an endorser vouching for more members than this shares their trust out among them

POOL_CAP = 1.0  # what all endorsements by not-yet-trusted endorsers may add to one listing, together
SCALE = 10.0  # the total at which a score reaches 63
MAX_WEIGHT = round(
    max(SENIORITY_FACTOR.values()) * max(RELATIONSHIP_FACTOR.values()) * max(STANDING_ENDORSED_MAX, STANDING_BADGE), 4
)

# Freshness: an endorsement's weight (and a badge's standing) halves every half-life of its skill's kind.
# Keys are skills.models.SkillKind values (plain strings: no model import here).
HALF_LIFE_DAYS: dict[str, float] = {"TOOL": 730.0, "GENERAL": 1095.0, "LASTING": 2190.0}
DEFAULT_KIND = "GENERAL"  # a skill nobody classified: three years
FRESHNESS_FLOOR = 0.25  # an old endorsement still says the skill was there once
DAY = 86400.0

CONFIRMED = "confirmed"  # seniority_basis: confirmed by an organisation admin or instance staff
COLLEAGUES = "colleagues"  # … consistent with endorsements from trusted colleagues


@dataclass(frozen=True)
class WeightInputs:
    """Everything the weight depends on, captured when the endorsement is weighed (stored as JSON)."""

    seniority: str  # declared by the endorser
    relationship: str  # as it counts (see relationship_claimed)
    lists_skill: bool = False
    skill_score: float = 0.0  # the endorser's own (visible) score in the skill
    verified_badge: bool = False
    trust: float = 0.0  # the endorser's stored trust (endorsements.trust), 1 for a starting point
    breadth: int = 1  # distinct members the endorser vouches for
    seniority_basis: str = ""  # CONFIRMED, COLLEAGUES or "" (not corroborated)
    relationship_claimed: str = ""  # what the endorser claimed when it does not count as such
    relationship_reason: str = ""  # why: "unconfirmed" (the other side does not agree) or "conflict"
    endorser_name: str = ""
    workplace: str = ""  # the endorser's verified organisation, if any
    seed: bool = False  # the endorser is a starting point of trust
    age_days: float = 0.0  # since it was given, or last re-confirmed (freshness)
    skill_kind: str = DEFAULT_KIND  # what the half-life is (HALF_LIFE_DAYS)
    reconfirmed: bool = False  # age_days runs from a re-confirmation
    badge_age_days: float | None = None  # the verified badge's age; None: no badge or its issuer states validity

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WeightInputs:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Weighing:
    weight: float
    established: bool  # counts in full (a trusted endorser), not in the capped pool
    factors: dict[str, float] = field(default_factory=dict)
    inputs: WeightInputs | None = None

    def explanation(self, member_name: str, skill_name: str) -> str:
        return explain(self, member_name, skill_name)


def counted_seniority(inputs: WeightInputs) -> str:
    """The seniority the weight uses: as declared when corroborated or not above MID, else MID."""
    declared = inputs.seniority if inputs.seniority in SENIORITY_FACTOR else UNCORROBORATED_CEILING
    if inputs.seniority_basis or Seniority.rank(declared) <= Seniority.rank(UNCORROBORATED_CEILING):
        return declared
    return UNCORROBORATED_CEILING


def effective_trust(inputs: WeightInputs) -> float:
    # Two decimals: what the explanation shows is what the weight uses (and a change the
    # explanation would not show re-weighs nothing).
    trust = 1.0 if inputs.seed else round(min(1.0, max(0.0, inputs.trust)), 2)
    if inputs.breadth > BREADTH:
        trust *= BREADTH / inputs.breadth
    return trust


def is_established(inputs: WeightInputs) -> bool:
    """Whether the endorsement counts in full: its endorser is trusted (not pooled)."""
    return effective_trust(inputs) >= TRUSTED_MIN


def trust_factor(inputs: WeightInputs) -> float:
    return effective_trust(inputs) if is_established(inputs) else TRUST_FLOOR


def trust_shown(inputs: WeightInputs) -> tuple[bool, float]:
    """What trust puts into a weight and its explanation (the services compare it before and after
    a change to decide whether everything a member gave must be re-weighed)."""
    return is_established(inputs), round(trust_factor(inputs), 2)


def freshness(age_days: float, kind: str = DEFAULT_KIND) -> float:
    """0.5 ** (age / half-life), never below FRESHNESS_FLOOR; 1 for anything given today or in the future."""
    half_life = HALF_LIFE_DAYS.get(kind, HALF_LIFE_DAYS[DEFAULT_KIND])
    return max(FRESHNESS_FLOOR, 0.5 ** (max(0.0, age_days) / half_life))


def age_in_days(since: Any, now: Any) -> float:
    """Days from `since` to `now` (datetimes), rounded to a thousandth of a day (86 s) so stored inputs stay short."""
    if since is None or now is None:
        return 0.0
    return round(max(0.0, (now - since).total_seconds() / DAY), 3)


def badge_standing(inputs: WeightInputs) -> float:
    """A verified badge lends STANDING_BADGE when new or when its issuer states how long it is valid (expiry is
    honoured where the badge is selected); otherwise what it adds above listing the skill decays like an
    endorsement."""
    if inputs.badge_age_days is None:
        return STANDING_BADGE
    return STANDING_LISTS + (STANDING_BADGE - STANDING_LISTS) * freshness(inputs.badge_age_days, inputs.skill_kind)


def standing_factor(inputs: WeightInputs) -> float:
    endorsed = STANDING_LISTS if inputs.lists_skill else 1.0
    if inputs.skill_score > 0:
        share = min(1.0, inputs.skill_score / STANDING_FULL_SCORE)
        endorsed = STANDING_LISTS + (STANDING_ENDORSED_MAX - STANDING_LISTS) * share
    if inputs.verified_badge:
        return max(endorsed, badge_standing(inputs))
    return endorsed


def weigh(inputs: WeightInputs) -> Weighing:
    """The weight of one endorsement: a pure, deterministic function of its inputs."""
    factors = {
        "seniority": SENIORITY_FACTOR[counted_seniority(inputs)],
        "relationship": RELATIONSHIP_FACTOR.get(inputs.relationship, 1.0),
        "standing": standing_factor(inputs),
        "trust": trust_factor(inputs),
        "freshness": freshness(inputs.age_days, inputs.skill_kind),
    }
    weight = 1.0
    for name in ("seniority", "relationship", "standing", "trust", "freshness"):
        weight *= factors[name]
    weight = round(min(MAX_WEIGHT, weight), 4)
    return Weighing(weight=weight, established=is_established(inputs), factors=factors, inputs=inputs)


def score(established_weights: Iterable[float] | float, pooled_weights: Iterable[float] | float = 0.0) -> float:
    """The score of a listing from its visible endorsements' weights.

    Accepts the weights (summed in sorted order, so the result does not depend on the
    order rows came back in) or their sums (as the SQL aggregate in services returns them).
    """
    established = _sum(established_weights)
    pooled = min(POOL_CAP, _sum(pooled_weights))
    total = max(0.0, established) + max(0.0, pooled)
    return round(100.0 * (1.0 - math.exp(-total / SCALE)), 4)


def _sum(weights: Iterable[float] | float | None) -> float:
    if weights is None:
        return 0.0
    if isinstance(weights, (int, float)):
        return float(weights)
    return math.fsum(sorted(weights))


# --- the sentence a viewer reads ---------------------------------------------------------
_RELATIONSHIP_PHRASE = {
    "MANAGER": "managed {name}",
    "REPORT": "reported to {name}",
    "PEER": "worked alongside {name}",
    "OTHER": "vouches for {name}",
}
_CLAIM_PHRASE = {
    "MANAGER": "says they managed {name}",
    "REPORT": "says they reported to {name}",
    "PEER": "says they worked alongside {name}",
    "OTHER": "vouches for {name}",
}


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _x(value: float) -> str:
    return _num(value) + "×"


_COUNTED_AS = {"MANAGER": "a manager's", "REPORT": "a report's", "PEER": "a peer's", "OTHER": "an acquaintance's"}


def explain(weighing: Weighing, member_name: str, skill_name: str) -> str:
    """E.g. "Maria Okafor, Director at Northwind Labs (verified), managed Ana: counts 3.3×;
    endorsed for Python themselves: 1.3×. Weight 4.29."."""
    inputs = weighing.inputs
    assert inputs is not None
    f = weighing.factors
    declared = inputs.seniority if inputs.seniority in SENIORITY_LABEL else UNCORROBORATED_CEILING
    counted = counted_seniority(inputs)
    parts: list[str] = []
    who = inputs.endorser_name or "The endorser"
    if counted != declared:
        parts.append(
            f"Self-declared {SENIORITY_LABEL[declared].lower()}, not confirmed by an organisation: counts as "
            f"{SENIORITY_LABEL[counted].lower()}"
        )
    else:
        confirmed = inputs.seniority_basis == CONFIRMED and declared != counted_seniority(
            WeightInputs(seniority=declared, relationship="")
        )
        who += f", {SENIORITY_LABEL[declared]}" + (" (confirmed)" if confirmed else "")
    if inputs.workplace:
        who += f"{',' if counted != declared else ''} at {inputs.workplace} (verified)"
    claimed = inputs.relationship_claimed
    if claimed and claimed != inputs.relationship:
        why = (
            f"not confirmed by {member_name}"
            if inputs.relationship_reason == "unconfirmed"
            else f"another endorsement of theirs gives {member_name} a different relationship"
        )
        relation = (
            _CLAIM_PHRASE.get(claimed, "").format(name=member_name)
            + f" ({why}, so it counts as {_COUNTED_AS.get(inputs.relationship, 'an acquaintance')})"
        )
    else:
        relation = _RELATIONSHIP_PHRASE.get(inputs.relationship, "").format(name=member_name)
    parts.append(f"{who}, {relation}: counts {_x(f['seniority'] * f['relationship'])}")
    if inputs.verified_badge and f["standing"] == badge_standing(inputs):
        issued = f" (issued {ago(inputs.badge_age_days)})" if inputs.badge_age_days is not None else ""
        parts.append(f"holds a verified {skill_name} badge{issued}: {_x(f['standing'])}")
    elif inputs.skill_score > 0:
        parts.append(f"endorsed for {skill_name} themselves: {_x(f['standing'])}")
    elif inputs.lists_skill:
        parts.append(f"lists {skill_name} themselves: {_x(f['standing'])}")
    if not weighing.established:
        parts.append(
            f"few trusted members vouch for this account yet: counts {_x(f['trust'])}, and such endorsements "
            f"together add at most {POOL_CAP:g} to a score"
        )
    elif inputs.breadth > BREADTH:
        parts.append(f"vouches for {inputs.breadth} members, so their trust is shared out: counts {_x(f['trust'])}")
    elif f["trust"] < 1.0:
        parts.append(f"trusted through the members who vouch for them: counts {_x(f['trust'])}")
    fresh = f.get("freshness", 1.0)
    if inputs.reconfirmed or round(fresh, 2) < 1.0:
        verb = "re-confirmed" if inputs.reconfirmed else "given"
        parts.append(f"{verb} {ago(inputs.age_days)}: counts {_x(fresh)}")
    return "; ".join(parts) + f". Weight {_num(weighing.weight)}."


def ago(days: float | None) -> str:
    """ "today", "5 days ago", "4 months ago", "3 years ago" (years from 2 on, to the nearest year)."""
    days = max(0.0, days or 0.0)
    if days < 1:
        return "today"
    if days < 60:
        n = int(days)
        return f"{n} day{'s' if n != 1 else ''} ago"
    if days < 730:
        return f"{int(days // 30.44)} months ago"
    return f"{round(days / 365.25)} years ago"
