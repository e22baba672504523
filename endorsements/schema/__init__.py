"""GraphQL for endorsements (queries and mutations composed in vouch/graphql/schema.py), one job per module:

- `types`: the Endorsement and EndorsementRequest types and their enums;
- `prefetch`: the window prefetch of every listing's top endorsements (no query per row);
- `pagination`: MemberSkill.endorsements and topEndorsements, served from that window;
- `queries`: the request inbox and outbox;
- `mutations`: thin wrappers over endorsements.services.

The names other modules reach for (skills.schema, vouch.graphql.schema, lazy graphene type
strings such as "endorsements.schema.EndorsementType") are re-exported here.
"""

from endorsements.schema.mutations import EndorsementMutations
from endorsements.schema.pagination import resolve_member_skill_endorsements, resolve_top_endorsements
from endorsements.schema.prefetch import ENDORSEMENT_WINDOW, prefetch_for_member_skills
from endorsements.schema.queries import EndorsementQueries
from endorsements.schema.types import EndorsementConnection, EndorsementRequestType, EndorsementType

__all__ = [
    "ENDORSEMENT_WINDOW",
    "EndorsementConnection",
    "EndorsementMutations",
    "EndorsementQueries",
    "EndorsementRequestType",
    "EndorsementType",
    "prefetch_for_member_skills",
    "resolve_member_skill_endorsements",
    "resolve_top_endorsements",
]
