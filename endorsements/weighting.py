"""How much one endorsement counts, and how endorsements add up to a score.

The formula is described for people in docs/weighting.md; this module is its only
implementation. Two pure functions carry it:

    weigh(inputs)            -> Weighing(weight, established, explanation parts)
    score(established, pooled) -> the MemberSkill.score of a set of visible weights

No database access here: endorsements.signals reads an endorser's signals (the inputs)
and endorsements.scoring writes weights and scores.

weight = seniority × relationship × standing-in-the-skill × trust

* seniority (self-declared, cheap to fake) and relationship (declared per endorsement)
  say how well the endorser can judge;
* standing: the endorser lists the skill, is endorsed for it, or (later) holds a
  verified badge for it;
* trust rests on signals that are hard to fake: account age, a verified e-mail address
  and being endorsed by established members. Accounts that are not established yet
  get a small trust factor AND their endorsements are pooled: all of them together add
  at most POOL_CAP to a listing's total, however many there are. That is what stops a
  ring of fresh accounts endorsing each other from inflating their scores.

score = 100 × (1 − e^(−total / SCALE)),  total = Σ established weights + min(POOL_CAP, Σ pooled weights)

Saturating, so every visible endorsement helps but with diminishing returns; a single
endorsement (weight ≤ MAX_WEIGHT) can never bring a score above 100 × (1 − e^(−MAX_WEIGHT/SCALE)).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
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
    Seniority.LEAD: "Lead-level",
    Seniority.MANAGER: "Manager-level",
    Seniority.DIRECTOR: "Director-level",
    Seniority.EXECUTIVE: "Executive-level",
}
# Keys are endorsements.models.Relationship values (plain strings: no model import here).
RELATIONSHIP_FACTOR: dict[str, float] = {"MANAGER": 1.5, "REPORT": 1.2, "PEER": 1.2, "OTHER": 1.0}

STANDING_LISTS = 1.1  # the endorser lists the skill themselves
STANDING_ENDORSED_MAX = 1.5  # … and is endorsed for it (graded by their own score up to STANDING_FULL_SCORE)
STANDING_FULL_SCORE = 25.0  # roughly one established manager's endorsement
STANDING_BADGE = 1.5  # the endorser holds a verified badge for the skill

ESTABLISHED_AGE_DAYS = 90  # an account this old with a verified e-mail is established
VOUCHERS_NEEDED = 3  # … or a verified account endorsed by this many established members
TRUST_NEW_MIN = 0.1  # trust of a brand-new verified account, rising to TRUST_NEW_MAX
TRUST_NEW_MAX = 0.4  # (just below establishment)
UNVERIFIED_FACTOR = 0.5  # an unverified e-mail halves a new account's trust (it can never be established)

POOL_CAP = 1.0  # what all endorsements by not-yet-established accounts may add to one listing, together
SCALE = 10.0  # the total at which a score reaches 63
MAX_WEIGHT = round(
    max(SENIORITY_FACTOR.values()) * max(RELATIONSHIP_FACTOR.values()) * max(STANDING_ENDORSED_MAX, STANDING_BADGE), 4
)


@dataclass(frozen=True)
class WeightInputs:
    """Everything the weight depends on, captured when the endorsement is weighed (stored as JSON)."""

    seniority: str
    relationship: str
    lists_skill: bool = False
    skill_score: float = 0.0  # the endorser's own (visible) score in the skill
    verified_badge: bool = False
    account_age_days: int = 0
    verified_email: bool = False
    established_endorsers: int = 0  # distinct established members whose visible endorsements the endorser holds

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WeightInputs:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Weighing:
    weight: float
    established: bool
    factors: dict[str, float] = field(default_factory=dict)
    inputs: WeightInputs | None = None

    def explanation(self, member_name: str, skill_name: str) -> str:
        return explain(self, member_name, skill_name)


def is_established(inputs: WeightInputs) -> bool:
    return inputs.verified_email and (
        inputs.account_age_days >= ESTABLISHED_AGE_DAYS or inputs.established_endorsers >= VOUCHERS_NEEDED
    )


def trust_factor(inputs: WeightInputs) -> float:
    if is_established(inputs):
        return 1.0
    progress = max(
        min(1.0, max(0, inputs.account_age_days) / ESTABLISHED_AGE_DAYS),
        min(1.0, max(0, inputs.established_endorsers) / VOUCHERS_NEEDED),
    )
    trust = TRUST_NEW_MIN + (TRUST_NEW_MAX - TRUST_NEW_MIN) * progress
    if not inputs.verified_email:
        trust *= UNVERIFIED_FACTOR
    return trust


def trust_shown(inputs: WeightInputs) -> tuple[bool, float, int | None]:
    """What the trust signals put into a weight and its explanation: established or not, the
    trust factor, and the voucher count when the explanation states it. Inputs that agree on
    it weigh and read the same as far as trust goes (the services ask whether one voucher more
    or less changes it before re-weighing everything a member gave)."""
    established = is_established(inputs)
    shown = inputs.established_endorsers if not established and inputs.verified_email else None
    return established, trust_factor(inputs), shown


def standing_factor(inputs: WeightInputs) -> float:
    if inputs.verified_badge:
        return STANDING_BADGE
    if inputs.skill_score > 0:
        share = min(1.0, inputs.skill_score / STANDING_FULL_SCORE)
        return STANDING_LISTS + (STANDING_ENDORSED_MAX - STANDING_LISTS) * share
    return STANDING_LISTS if inputs.lists_skill else 1.0


def weigh(inputs: WeightInputs) -> Weighing:
    """The weight of one endorsement: a pure, deterministic function of its inputs."""
    factors = {
        "seniority": SENIORITY_FACTOR.get(inputs.seniority, 1.0),
        "relationship": RELATIONSHIP_FACTOR.get(inputs.relationship, 1.0),
        "standing": standing_factor(inputs),
        "trust": trust_factor(inputs),
    }
    weight = 1.0
    for name in ("seniority", "relationship", "standing", "trust"):
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
    "MANAGER": "who managed {name}",
    "REPORT": "who reported to {name}",
    "PEER": "who worked alongside {name}",
    "OTHER": "",
}


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _x(value: float) -> str:
    return "×" + _num(value)


def explain(weighing: Weighing, member_name: str, skill_name: str) -> str:
    """E.g. "Manager-level endorser who managed Ana: ×3.0; endorsed for Kubernetes themselves: ×1.3. Weight 3.9."."""
    inputs = weighing.inputs
    assert inputs is not None
    f = weighing.factors
    who = f"{SENIORITY_LABEL.get(inputs.seniority, inputs.seniority.title())} endorser"
    relation = _RELATIONSHIP_PHRASE.get(inputs.relationship, "").format(name=member_name)
    parts = [f"{who} {relation}".strip() + f": {_x(f['seniority'] * f['relationship'])}"]
    if inputs.verified_badge:
        parts.append(f"holds a verified {skill_name} badge: {_x(f['standing'])}")
    elif inputs.skill_score > 0:
        parts.append(f"endorsed for {skill_name} themselves: {_x(f['standing'])}")
    elif inputs.lists_skill:
        parts.append(f"lists {skill_name} themselves: {_x(f['standing'])}")
    if not weighing.established:
        if not inputs.verified_email:
            why = "unverified e-mail address"
        else:
            days = inputs.account_age_days
            why = f"new account ({days} day{'s' if days != 1 else ''} old, vouched for by {inputs.established_endorsers} established member{'s' if inputs.established_endorsers != 1 else ''})"
        parts.append(f"{why}: {_x(f['trust'])}, and new accounts together add at most {POOL_CAP:g} to a score")
    return "; ".join(parts) + f". Weight {_num(weighing.weight)}."


def established_cutoff(now: datetime) -> datetime:
    """Accounts that joined on or before this are old enough to be established (ESTABLISHED_AGE_DAYS)."""
    return now - timedelta(days=ESTABLISHED_AGE_DAYS)
