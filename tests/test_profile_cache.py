"""The anonymous profile read cache (vouch/profile_cache.py): served from the cache with no SQL, and never stale after
any write that changes what an anonymous visitor sees, whoever writes it (services, the admin path, raw updates)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from endorsements.services import endorse, set_endorsement_hidden, withdraw_endorsement
from endorsements.tests.factories import listing, make_established
from profiles.models import Profile
from profiles.services import update_profile
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill, remove_skill
from vouch import profile_cache
from vouch.testing import CountQueries, client_for, data_of, gql

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("profile_cache_on")]

PROFILE = """
query Profile($username: String!) {
  member(username: $username) {
    username displayName headline seniority
    badges { name issuerName }
    skills {
      skill { name slug }
      score endorsementCount
      topEndorsements(limit: 3) { weight weightExplanation endorser { username displayName } }
      badges { name issuerName }
    }
  }
}
"""


@pytest.fixture
def profile_cache_on():
    with override_settings(PROFILE_CACHE_SECONDS=60):
        yield


def read(username: str = "ana", client: Client | None = None) -> dict:
    return data_of(gql(client or Client(), PROFILE, {"username": username}))["member"]


def queries_of(fn) -> int:
    with CountQueries() as counted:
        fn()
    return counted.count


def _ana_endorsed() -> tuple:
    ana = make_member("ana")
    ms = listing(ana, "Python")
    maria = make_established("maria")
    e = endorse(maria, member=ana, skill="Python", relationship="PEER", comment="Great")
    return ana, maria, ms, e


def test_a_repeated_anonymous_profile_read_is_served_from_the_cache_without_sql():
    _ana_endorsed()
    first = read()
    assert queries_of(read) == 0
    assert read() == first


def test_endorsing_withdrawing_and_hiding_show_at_once():
    ana, maria, _, e = _ana_endorsed()
    assert read()["skills"][0]["endorsementCount"] == 1
    sam = make_established("sam")
    endorse(sam, member=ana, skill="Python", relationship="PEER")
    assert read()["skills"][0]["endorsementCount"] == 2
    set_endorsement_hidden(ana, endorsement_id=e.pk, hidden=True)
    assert [t["endorser"]["username"] for t in read()["skills"][0]["topEndorsements"]] == ["sam"]
    withdraw_endorsement(sam, endorsement_id=e.pk + 1)
    assert read()["skills"][0]["endorsementCount"] == 0


def test_profile_edits_and_skill_changes_show_at_once():
    ana, *_ = _ana_endorsed()
    read()
    update_profile(ana, headline="Now at Acme")
    assert read()["headline"] == "Now at Acme"
    add_skill(ana, name="Go")
    assert [s["skill"]["name"] for s in read()["skills"]] == ["Python", "Go"]
    remove_skill(ana, member_skill_id=MemberSkill.objects.get(member=ana, skill__name="Go").pk)
    assert [s["skill"]["name"] for s in read()["skills"]] == ["Python"]


def test_an_endorsers_new_name_shows_on_the_profiles_they_endorsed():
    _, maria, *_ = _ana_endorsed()
    assert read()["skills"][0]["topEndorsements"][0]["endorser"]["displayName"] != "Maria Q"
    update_profile(maria, display_name="Maria Q")
    assert read()["skills"][0]["topEndorsements"][0]["endorser"]["displayName"] == "Maria Q"


def test_writes_outside_the_services_invalidate_too():
    ana, maria, *_ = _ana_endorsed()
    read()
    Profile.objects.filter(user=maria).update(visibility="MEMBERS")  # as the admin or a job might
    assert read()["skills"][0]["topEndorsements"] == []
    Profile.objects.filter(user=ana).update(visibility="MEMBERS")
    body = gql(Client(), PROFILE, {"username": "ana"})
    assert body["data"]["member"] is None


def test_a_signed_in_viewer_is_never_served_from_the_cache():
    ana, maria, _, e = _ana_endorsed()
    set_endorsement_hidden(ana, endorsement_id=e.pk, hidden=True)
    owner = client_for(ana)
    assert read("ana", owner)["skills"][0]["endorsementCount"] >= 0
    assert queries_of(lambda: read("ana", owner)) > 0
    assert read()["skills"][0]["topEndorsements"] == []  # the anonymous answer does not leak the owner's view


def test_documents_beyond_the_public_profile_are_not_cached():
    _ana_endorsed()
    wider = "query($u: String!) { member(username: $u) { username visibility } }"
    gql(Client(), wider, {"u": "ana"})
    assert queries_of(lambda: gql(Client(), wider, {"u": "ana"})) > 0
    nested = """query($u: String!) { member(username: $u) { skills { topEndorsements(limit: 3) {
      endorser { skills { score } } } } } }"""
    gql(Client(), nested, {"u": "ana"})
    assert queries_of(lambda: gql(Client(), nested, {"u": "ana"})) > 0


def test_off_when_the_setting_is_zero():
    _ana_endorsed()
    with override_settings(PROFILE_CACHE_SECONDS=0):
        read()
        assert queries_of(read) > 0


def test_the_write_watcher_is_installed_on_the_connection():
    from django.db import connection

    assert profile_cache.watch_writes in connection.execute_wrappers


def test_badge_changes_show_at_once():
    from badges.models import Badge, BadgeStatus, IssuerTrust, SourceKind
    from badges.services import set_badge_public

    ana, *_ = _ana_endorsed()
    assert read()["badges"] == []
    badge = Badge.objects.create(
        owner=ana,
        status=BadgeStatus.VERIFIED,
        name="Certified",
        issuer_name="Issuer",
        source_kind=SourceKind.URL,
        source_url="https://example.org/b",
        source_digest="b",
        issuer_trust=IssuerTrust.DOMAIN_BOUND,
        public=True,
    )
    assert [b["name"] for b in read()["badges"]] == ["Certified"]
    set_badge_public(ana, badge_id=badge.pk, public=False)
    assert read()["badges"] == []


# --- members(skill:): the anonymous member list by skill ------------------------------------------------------------
MEMBERS = """
query Search($skill: String!, $first: Int) {
  members(skill: $skill, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { username displayName headline } }
  }
}
"""


def search(skill: str = "Python", client: Client | None = None, **headers: str) -> dict:
    return data_of(gql(client or Client(**headers), MEMBERS, {"skill": skill, "first": 20}))["members"]


def names(page: dict) -> list[str]:
    return [e["node"]["username"] for e in page["edges"]]


def test_a_repeated_anonymous_search_by_skill_is_served_from_the_cache_recording_the_search():
    from insights.models import DemandSignal

    _ana_endorsed()
    first = search()
    assert names(first) == ["ana"] and first["totalCount"] == 1
    assert DemandSignal.objects.count() == 1
    # Another visitor, answered from the cache: no query but the demand signal's (count the visitor's, store it).
    with CountQueries() as counted:
        again = search(REMOTE_ADDR="198.51.100.7")
    assert again == first
    assert not any("profiles_user" in q["sql"] or "skills_memberskill" in q["sql"] for q in counted.captured_queries)
    assert any("insights_demandsignal" in q["sql"] for q in counted.captured_queries)
    assert DemandSignal.objects.count() == 2  # recorded as if the resolver had run


def test_the_cached_member_list_follows_every_write_it_shows():
    ana, maria, _, e = _ana_endorsed()
    listing(maria, "Python")
    assert names(search()) == ["ana", "maria"]  # ana's endorsement ranks her first
    sam = make_established("sam")
    endorse(sam, member=maria, skill="Python", relationship="PEER")
    endorse(ana, member=maria, skill="Python", relationship="PEER")
    assert names(search()) == ["maria", "ana"]
    update_profile(maria, headline="Now at Acme")
    assert search()["edges"][0]["node"]["headline"] == "Now at Acme"
    Profile.objects.filter(user=maria).update(visibility="MEMBERS")  # a raw write, as the admin might
    assert names(search()) == ["ana"] and search()["totalCount"] == 1


def test_a_new_alias_of_the_skill_shows_at_once():
    from skills.models import Skill, SkillAlias

    _ana_endorsed()
    assert search("py3") == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}
    SkillAlias.objects.create(skill=Skill.objects.get(name="Python"), key="py3")
    assert names(search("py3")) == ["ana"]


def test_no_cache_from_the_client_computes_the_answer_afresh():
    _ana_endorsed()
    search()
    with CountQueries() as counted:
        search(HTTP_CACHE_CONTROL="no-cache")
    assert any("profiles_user" in q["sql"] for q in counted.captured_queries)


def test_member_lists_beyond_the_public_page_are_not_cached():
    _ana_endorsed()
    wider = 'query { members(skill: "Python", first: 5) { edges { node { username skills { score } } } } }'
    by_text = 'query { members(search: "ana", first: 5) { edges { node { username } } } }'
    signed_in = client_for(make_member("zed"))
    for document, client in ((wider, None), (by_text, None), (MEMBERS, signed_in)):
        variables = {"skill": "Python", "first": 20} if document is MEMBERS else {}
        gql(client or Client(), document, variables)
        with CountQueries() as counted:
            gql(client or Client(), document, variables)
        assert any("profiles_user" in q["sql"] for q in counted.captured_queries), document  # computed again


@pytest.mark.django_db(transaction=True)
def test_a_transaction_invalidates_once_when_it_commits_and_not_at_all_when_it_rolls_back():
    """Outside a test case's transaction (as in production) a write bumps the generation once, when it commits: a
    visitor's read while it is open (another connection) sees the state before it, cached under the generation the
    commit leaves behind."""
    from django.db import transaction

    ana, maria, *_ = _ana_endorsed()
    assert read()["headline"] != "Now at Acme"
    bumps_before = profile_cache.generation()
    with transaction.atomic():
        update_profile(ana, headline="Now at Acme")
        add_skill(ana, name="Go")
        assert profile_cache.generation() == bumps_before  # nothing committed yet: nothing to invalidate
    assert profile_cache.generation() == bumps_before + 1  # two writes, one commit: one bump
    fresh = read()
    assert fresh["headline"] == "Now at Acme"
    assert [s["skill"]["name"] for s in fresh["skills"]] == ["Python", "Go"]
    with transaction.atomic():
        update_profile(ana, headline="Back home")
        transaction.set_rollback(True)
    assert profile_cache.generation() == bumps_before + 1  # rolled back: nothing changed
    assert read()["headline"] == "Now at Acme"
