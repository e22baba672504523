"""A verified, public badge for a skill gives its holder established standing when they endorse someone for it."""

from __future__ import annotations

import pytest

from badges.tests.helpers import BADGE_FIELDS, after_commit, gid, import_url, run
from endorsements.models import Endorsement
from endorsements.services import endorse
from endorsements.signals import endorser_has_verified_badge
from endorsements.weighting import STANDING_BADGE
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of

pytestmark = pytest.mark.django_db

SET_PUBLIC = f"""mutation($input: SetBadgePublicInput!) {{
  setBadgePublic(input: $input) {{ badge {{ {BADGE_FIELDS} }} errors {{ code }} }}
}}
"""


def _standing(e: Endorsement) -> bool:
    e.refresh_from_db()
    return bool(e.weight_inputs.get("verified_badge"))


def test_verified_badge_lends_standing_and_losing_it_takes_it_away(
    issuer, settings, django_capture_on_commit_callbacks
):
    settings.BADGE_REVERIFY_INTERVAL_SECONDS = 0
    ana, ben = make_member("ana", email="ana@example.com"), make_member("ben")
    add_skill(ben, name="Python")
    ms = add_skill(ana, name="Python")
    endorsement = endorse(ana, member=ben, skill="Python", relationship="PEER")
    assert not _standing(endorsement)

    url = issuer.hosted("ana@example.com")
    client = client_for(ana)
    import_url(django_capture_on_commit_callbacks, client, url, memberSkillId=encode_id("MemberSkill", ms.pk))
    assert endorser_has_verified_badge(ana, ms.skill)
    assert _standing(endorsement)  # re-weighed when the badge became evidence
    weight_with_badge = endorsement.weight

    from badges.models import Badge

    badge = Badge.objects.get(owner=ana)
    payload = data_of(
        run(django_capture_on_commit_callbacks, client, SET_PUBLIC, {"input": {"badgeId": gid(badge), "public": False}})
    )["setBadgePublic"]
    assert after_commit(client, payload)["badge"]["public"] is False
    assert not endorser_has_verified_badge(ana, ms.skill)
    assert not _standing(endorsement)  # a private badge counts for nobody else
    assert endorsement.weight < weight_with_badge
    assert STANDING_BADGE > 1
