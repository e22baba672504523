"""`MemberSkill.endorsements`, `topEndorsements` and `topEndorsers`: ordering, paging, visibility, SQL count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from endorsements import weighting
from endorsements.models import Endorsement
from endorsements.scoring import recompute_member_skills
from endorsements.services import endorse
from endorsements.tests.factories import listing, make_established
from profiles.models import Profile, User, Visibility
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from vouch.testing import CountQueries, client_for, data_of, gql

pytestmark = pytest.mark.django_db

PROFILE = """
query {
  member(username: "ana") {
    skills { score endorsementCount
      endorsements(first: 3) { edges { node { endorser { username displayName } weight weightExplanation } } }
    }
  }
}
"""
PAGE = """
query($first: Int, $after: String) {
  member(username: "ana") { skills {
    endorsements(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { endorser { username } weight } } }
    topEndorsements(limit: 2) { endorser { username } }
    topEndorsers { username }
  } }
}
"""


def bulk_endorse(member: User, n: int, skills: list[MemberSkill], prefix: str = "e") -> None:
    """`n` endorsements of each of `skills` by `n` new established members, inserted in bulk (speed)."""
    joined = timezone.now() - timedelta(days=365)
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", date_joined=joined) for i in range(n)]
    )
    Profile.objects.bulk_create(
        [
            Profile(user=u, display_name=f"E {i}", seniority=["JUNIOR", "MID", "SENIOR", "MANAGER"][i % 4])
            for i, u in enumerate(users)
        ]
    )
    rows = []
    for ms in skills:
        for i, u in enumerate(users):
            w = weighting.weigh(
                weighting.WeightInputs(
                    seniority=["JUNIOR", "MID", "SENIOR", "MANAGER"][i % 4],
                    relationship="PEER",
                    trust=1.0,
                    seniority_basis=weighting.CONFIRMED,
                )
            )
            rows.append(
                Endorsement(
                    endorser=u,
                    member=member,
                    member_skill=ms,
                    skill_id=ms.skill_id,
                    relationship="PEER",
                    weight=w.weight,
                    from_established=True,
                    explanation=w.explanation("Ana", "x"),
                    weight_inputs=w.inputs.as_json(),
                )
            )
    Endorsement.objects.bulk_create(rows, batch_size=1000)
    recompute_member_skills([ms.pk for ms in skills])


def test_full_profile_read_is_a_constant_number_of_queries_with_1_and_500_endorsements():
    ana = make_member("ana")
    skills = [listing(ana, name) for name in ("Go", "Python", "SQL", "Kubernetes")]
    endorse(make_established("first"), member=ana, skill="Go", relationship="PEER")
    client = Client()  # anonymous: the public read

    with CountQueries() as small:
        data = data_of(gql(client, PROFILE))
    assert [s["endorsementCount"] for s in data["member"]["skills"]] == [1, 0, 0, 0]

    bulk_endorse(ana, 500, skills)
    with CountQueries() as large:
        data = data_of(gql(client, PROFILE))
    skills_out = data["member"]["skills"]
    assert [s["endorsementCount"] for s in skills_out] == [501, 500, 500, 500]
    assert all(len(s["endorsements"]["edges"]) == 3 for s in skills_out)
    top = [e["node"]["weight"] for e in skills_out[0]["endorsements"]["edges"]]
    assert top == sorted(top, reverse=True)
    assert small.count == large.count <= 4, [q["sql"][:120] for q in large.captured_queries]

    # Signed in (own profile and someone else's): constant as well.
    for viewer in (ana, make_member("viewer")):
        c = client_for(viewer)
        with CountQueries() as q:
            data_of(gql(c, PROFILE))
        with CountQueries() as q2:
            data_of(gql(c, PROFILE))
        assert q.count == q2.count <= large.count + 3


def _endorsers(ana, n):
    ms = listing(ana, "Go")
    for i, seniority in enumerate(
        ["INTERN", "JUNIOR", "MID", "SENIOR", "LEAD", "MANAGER", "DIRECTOR", "EXECUTIVE"] * 2
    ):
        if i >= n:
            break
        endorse(
            make_established(f"end{i:02d}", seniority=seniority, days=365 + i),
            member=ana,
            skill="Go",
            relationship="PEER",
        )
    return ms


def page(first=None, after=None, user=None):
    return data_of(gql(client_for(user), PAGE, {"first": first, "after": after}))["member"]["skills"][0]


def test_endorsements_page_forward_beyond_the_prefetched_window():
    ana = make_member("ana")
    _endorsers(ana, 14)
    expected = list(Endorsement.objects.order_by("-weight", "id").values_list("endorser__username", flat=True))
    seen, after = [], None
    while True:
        skill = page(first=4, after=after)
        conn = skill["endorsements"]
        assert conn["totalCount"] == 14
        seen += [e["node"]["endorser"]["username"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == expected
    assert skill["topEndorsements"] == [{"endorser": {"username": u}} for u in expected[:2]]
    assert skill["topEndorsers"] == [{"username": u} for u in expected[:3]]
    # The heaviest are the most senior (same account age bracket, same relationship).
    assert expected[0].startswith("end1") or expected[0] in ("end07", "end15")


def test_default_page_and_bad_arguments():
    ana = make_member("ana")
    _endorsers(ana, 3)
    assert len(page()["endorsements"]["edges"]) == 3
    body = gql(Client(), PAGE, {"first": -1})
    assert body["errors"]
    body = gql(Client(), 'query { member(username: "ana") { skills { endorsements(last: 2) { totalCount } } } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_ARGUMENT"


def test_a_page_over_the_limit_is_refused_like_root_connections_not_capped(settings):
    ana = make_member("ana")
    _endorsers(ana, 3)
    settings.GRAPHQL_MAX_PAGE_SIZE = 2  # small enough for the cost rule to let the query through
    assert len(page(first=2)["endorsements"]["edges"]) == 2
    body = gql(Client(), PAGE, {"first": 3})
    assert body["errors"][0]["message"] == (
        "Requesting 3 records on the `endorsements` connection exceeds the `first` limit of 2 records."
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_ARGUMENT"
    assert not (body.get("data") or {}).get("member")


def test_anonymous_visitors_do_not_see_members_only_endorsers():
    ana = make_member("ana")
    listing(ana, "Go")
    private = make_established("private", seniority="MANAGER")
    private.profile.visibility = Visibility.MEMBERS
    private.profile.save()
    endorse(private, member=ana, skill="Go", relationship="MANAGER")
    endorse(make_established("public"), member=ana, skill="Go", relationship="PEER")
    anon = page()
    assert [e["node"]["endorser"]["username"] for e in anon["endorsements"]["edges"]] == ["public"]
    member_view = page(user=make_member("someone"))
    assert [e["node"]["endorser"]["username"] for e in member_view["endorsements"]["edges"]] == ["private", "public"]


def test_member_skill_endorsements_reached_without_prefetch_still_work():
    ana = make_member("ana")
    listing(ana, "Go")
    maria = make_established("maria", seniority="MANAGER")
    endorse(make_established("kwame"), member=ana, skill="Go", relationship="PEER")
    body = gql(
        client_for(maria),
        """mutation { endorse(input: {member: "ana", skill: "Go", relationship: MANAGER}) {
             memberSkill { endorsementCount
               endorsements(first: 5) { totalCount edges { node { endorser { username } } } } }
             errors { code } } }""",
    )
    ms = data_of(body)["endorse"]["memberSkill"]
    assert ms["endorsementCount"] == 2
    assert [e["node"]["endorser"]["username"] for e in ms["endorsements"]["edges"]] == ["maria", "kwame"]
