"""me, member(username:) and members(search:, skill:): who sees whom, ranking, page cap, SQL counts."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.models import Profile, Seniority, Visibility
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill
from vouch.testing import CountQueries, client_for, data_of, gql

pytestmark = pytest.mark.django_db

ME = "{ me { username displayName visibility } }"
MEMBER = """
query($u: String!) {
  member(username: $u) { id username displayName headline seniority organisation title visibility avatarUrl
                         skills { position skill { name } } }
}
"""
MEMBER_SKILLS = "query($u: String!) { member(username: $u) { skills { skill { name } } } }"
MEMBERS = """
query($search: String, $skill: String, $first: Int, $after: String) {
  members(search: $search, skill: $skill, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { username } }
  }
}
"""
MEMBERS_WITH_SKILLS = """
{ members(first: 50) { edges { node { username displayName skills { skill { name } } } } } }
"""


def usernames(body: dict) -> list[str]:
    return [e["node"]["username"] for e in data_of(body)["members"]["edges"]]


def _hide(user) -> None:
    Profile.objects.filter(user=user).update(visibility=Visibility.MEMBERS)


def test_me_is_the_signed_in_member_with_their_visibility():
    ana = make_member("ana", display_name="Ana Lima")
    assert data_of(gql(client_for(ana), ME))["me"] == {
        "username": "ana",
        "displayName": "Ana Lima",
        "visibility": "PUBLIC",
    }
    assert data_of(gql(Client(), ME))["me"] is None


def test_member_seen_by_another_member_and_anonymously():
    ana = make_member(
        "ana", seniority=Seniority.LEAD, headline="Builds things", title="Staff", organisation="Northwind"
    )
    add_skill(ana, name="Go")
    add_skill(ana, name="js")
    ben = make_member("ben")
    expected = {
        "username": "ana",
        "displayName": "Ana",
        "headline": "Builds things",
        "seniority": "LEAD",
        "organisation": "Northwind",
        "title": "Staff",
        "visibility": None,  # only the member sees their own setting
        "avatarUrl": None,
        "skills": [{"position": 0, "skill": {"name": "Go"}}, {"position": 1, "skill": {"name": "JavaScript"}}],
    }
    for client in (client_for(ben), Client()):
        member = data_of(gql(client, MEMBER, {"u": "ana"}))["member"]
        assert {k: v for k, v in member.items() if k != "id"} == expected
    assert data_of(gql(client_for(ana), MEMBER, {"u": "ana"}))["member"]["visibility"] == "PUBLIC"


def test_member_lookup_ignores_case_and_surrounding_spaces():
    make_member("ana")
    assert data_of(gql(Client(), MEMBER, {"u": " ANA "}))["member"]["username"] == "ana"


@pytest.mark.parametrize("username", ["nobody", "", "x" * 65, "ana' OR 1=1 --", "%"])
def test_unknown_member_is_null(username):
    make_member("ana")
    assert data_of(gql(Client(), MEMBER, {"u": username}))["member"] is None


def test_inactive_member_is_null_to_everyone():
    ana = make_member("ana")
    ben = make_member("ben")
    ana.is_active = False
    ana.save()
    assert data_of(gql(client_for(ben), MEMBER, {"u": "ana"}))["member"] is None
    assert usernames(gql(client_for(ben), MEMBERS, {})) == ["ben"]


def test_members_only_profile_is_hidden_from_anonymous_visitors():
    ana = make_member("ana", headline="Platform")
    make_member("ben", headline="Platform")
    _hide(ana)
    assert data_of(gql(Client(), MEMBER, {"u": "ana"}))["member"] is None
    assert usernames(gql(Client(), MEMBERS, {})) == ["ben"]
    assert usernames(gql(Client(), MEMBERS, {"search": "platform"})) == ["ben"]
    add_skill(ana, name="Go")
    assert usernames(gql(Client(), MEMBERS, {"skill": "go"})) == []


def test_members_only_profile_is_visible_to_members():
    ana = make_member("ana")
    ben = make_member("ben")
    _hide(ana)
    member = data_of(gql(client_for(ben), MEMBER, {"u": "ana"}))["member"]
    assert member["username"] == "ana"
    assert member["visibility"] is None
    assert usernames(gql(client_for(ben), MEMBERS, {})) == ["ana", "ben"]
    assert data_of(gql(client_for(ana), MEMBER, {"u": "ana"}))["member"]["visibility"] == "MEMBERS"


def test_visibility_field_is_null_for_others_in_lists():
    make_member("ana")
    ben = make_member("ben")
    body = gql(client_for(ben), "{ members { edges { node { username visibility } } } }")
    nodes = {e["node"]["username"]: e["node"]["visibility"] for e in data_of(body)["members"]["edges"]}
    assert nodes == {"ana": None, "ben": "PUBLIC"}


def test_member_type_exposes_no_email():
    body = gql(Client(), '{ __type(name: "Member") { fields { name } } }')
    fields = {f["name"] for f in data_of(body)["__type"]["fields"]}
    assert not {f for f in fields if "mail" in f.lower() or "password" in f.lower()}


def test_members_search_matches_name_headline_title_and_organisation():
    make_member("ana", display_name="Ana Lima")
    make_member("ben", headline="Kubernetes whisperer")
    make_member("carla", title="Head of LIMA ops")
    make_member("dmitri", organisation="Limabank")
    make_member("emma")
    assert usernames(gql(Client(), MEMBERS, {"search": "lima"})) == ["ana", "carla", "dmitri"]
    assert usernames(gql(Client(), MEMBERS, {"search": "WHISPER"})) == ["ben"]
    assert usernames(gql(Client(), MEMBERS, {"search": "emm"})) == ["emma"]
    assert usernames(gql(Client(), MEMBERS, {"search": "%"})) == []
    assert data_of(gql(Client(), MEMBERS, {"search": "lima"}))["members"]["totalCount"] == 3


def test_members_by_skill_are_ranked_by_score_highest_first():
    scores = {"ana": 1.5, "ben": 9.0, "carla": 4.25, "dmitri": 0.0}
    for username, score in scores.items():
        ms = add_skill(make_member(username), name="JavaScript")
        MemberSkill.objects.filter(pk=ms.pk).update(score=score)
    add_skill(make_member("emma"), name="Go")  # lists another skill only
    make_member("farid")
    expected = ["ben", "carla", "ana", "dmitri"]
    for spelling in ("JavaScript", "js", " JAVASCRIPT "):
        assert usernames(gql(Client(), MEMBERS, {"skill": spelling})) == expected


def test_members_by_skill_combines_with_search_and_pages_in_rank_order():
    for n, score in enumerate([3.0, 7.0, 5.0, 1.0, 9.0]):
        ms = add_skill(make_member(f"dev-{n}", headline="backend" if n != 2 else "designer"), name="Go")
        MemberSkill.objects.filter(pk=ms.pk).update(score=score)
    assert usernames(gql(Client(), MEMBERS, {"skill": "go", "search": "BACKEND"})) == [
        "dev-4",
        "dev-1",
        "dev-0",
        "dev-3",
    ]
    page1 = data_of(gql(Client(), MEMBERS, {"skill": "go", "first": 2}))["members"]
    assert [e["node"]["username"] for e in page1["edges"]] == ["dev-4", "dev-1"]
    assert page1["pageInfo"]["hasNextPage"] is True
    page2 = gql(Client(), MEMBERS, {"skill": "go", "first": 2, "after": page1["pageInfo"]["endCursor"]})
    assert usernames(page2) == ["dev-2", "dev-0"]


@pytest.mark.parametrize("skill", ["no such skill", "", "   ", "x" * 500])
def test_members_with_unknown_skill_is_empty(skill):
    add_skill(make_member("ana"), name="Go")
    body = gql(Client(), MEMBERS, {"skill": skill})
    assert usernames(body) == []
    assert data_of(body)["members"]["totalCount"] == 0


def test_members_without_filters_are_ordered_by_username():
    for username in ("carla", "ana", "ben"):
        make_member(username)
    assert usernames(gql(Client(), MEMBERS, {})) == ["ana", "ben", "carla"]


def test_page_size_over_the_cap_is_a_clear_graphql_error(settings):
    make_member("ana")
    body = gql(Client(), MEMBERS, {"first": 500})
    assert body["errors"]
    message = body["errors"][0]["message"]
    assert "500" in message and str(settings.GRAPHQL_MAX_PAGE_SIZE) in message
    assert not (body.get("data") or {}).get("members")


def test_page_size_at_the_cap_is_accepted(settings):
    make_member("ana")
    assert usernames(gql(Client(), MEMBERS, {"first": settings.GRAPHQL_MAX_PAGE_SIZE})) == ["ana"]


def _member_with_skills(username: str, count: int) -> None:
    user = make_member(username)
    for n in range(count):
        add_skill(user, name=f"Skill {n}")


def test_member_skills_query_count_does_not_grow_with_skills():
    _member_with_skills("few", 1)
    _member_with_skills("many", 30)
    viewer = make_member("viewer")
    for client in (Client(), client_for(viewer)):
        with CountQueries() as few:
            body = gql(client, MEMBER_SKILLS, {"u": "few"})
        assert len(data_of(body)["member"]["skills"]) == 1
        with CountQueries() as many:
            body = gql(client, MEMBER_SKILLS, {"u": "many"})
        assert len(data_of(body)["member"]["skills"]) == 30
        assert few.count == many.count


def _members_count(n_members: int) -> tuple[int, int]:
    with CountQueries() as queries:
        body = gql(Client(), MEMBERS_WITH_SKILLS)
    edges = data_of(body)["members"]["edges"]
    assert all(len(e["node"]["skills"]) == 10 for e in edges)
    return len(edges), queries.count


def test_members_query_count_does_not_grow_with_members_and_skills():
    for n in range(2):
        _member_with_skills(f"early-{n}", 10)
    rows_few, few = _members_count(2)
    for n in range(28):
        _member_with_skills(f"late-{n}", 10)
    rows_many, many = _members_count(30)
    assert (rows_few, rows_many) == (2, 30)
    assert few == many
    assert many <= 4  # count + members with profiles + their skills (+ nothing per row)


def test_node_lookup_respects_visibility():
    from vouch.graphql.ids import encode_id

    ana = make_member("ana")
    ms = add_skill(ana, name="Go")
    _hide(ana)
    member_id, skill_id = encode_id("Member", ana.pk), encode_id("MemberSkill", ms.pk)
    query = "query($id: ID!) { node(id: $id) { id } }"
    for gid in (member_id, skill_id):
        assert data_of(gql(Client(), query, {"id": gid}))["node"] is None
        assert data_of(gql(client_for(make_member()), query, {"id": gid}))["node"] == {"id": gid}
