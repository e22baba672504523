"""Skill insights through the public surface: searches and views are collected privately (once per visitor per skill
a day, capped), rolled up by the periodic job, and shown as aggregates only — scarce skills first, rising skills,
badge issuers, a member's skills to strengthen — with every count under k suppressed (GraphQL and /insights/)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.utils.module_loading import import_string

from badges.models import Badge
from insights.models import DemandSignal, SkillDay
from insights.services import record_profile_view, record_search, rollup
from profiles.models import User
from profiles.tests.factories import make_member
from skills.models import MemberSkill, Skill
from skills.services import add_skill
from vouch.testing import client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
INSIGHTS = """
query($first: Int) {
  skillInsights(first: $first) {
    skill { name } demand strongSupply listing scarcity searches views requests verifiedBadges
    issuers { name badges }
  }
}
"""
SUGGESTED = "query($u: String!) { member(username: $u) { suggestedSkills { name } } }"
OPT_OUT = """
mutation($counted: Boolean!) {
  setProfileViewsCounted(input: {counted: $counted}) { counted errors { code } }
}
"""


def visitor(i: int) -> object:
    """An anonymous visitor: their own address (no session)."""
    request = RequestFactory().get("/", REMOTE_ADDR=f"10.0.{i // 250}.{i % 250}", HTTP_USER_AGENT="test")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


def search(skill_name: str, visitors: range | list[int]) -> None:
    skill = Skill.objects.get(name=skill_name)
    for i in visitors:
        record_search(visitor(i), skill)


def members_listing(skill_name: str, n: int, *, strong: int = 0, prefix: str = "") -> list[User]:
    made = []
    for i in range(n):
        m = make_member(f"{prefix or skill_name.lower()[:6]}{i}")
        ms = add_skill(m, name=skill_name)
        if i < strong:
            MemberSkill.objects.filter(pk=ms.pk).update(score=40.0)  # as if well endorsed (supply only)
        made.append(m)
    return made


def insights(client: Client | None = None, first: int = 10) -> list[dict]:
    return data_of(gql(client or Client(), INSIGHTS, {"first": first}))["skillInsights"]


@pytest.fixture
def skewed():
    """Rust: much demand, nobody strong. Python: as much demand, many strong. Go: some demand, nobody strong.
    Cobol: demand under k. Demand is searches by distinct visitors (one visitor searching twice counts once)."""
    with time_machine.travel(NOW, tick=False):
        for name in ("Rust", "Python", "Go", "COBOL"):
            Skill.objects.get_or_create(name=name, defaults={"slug": name.lower(), "key": name.lower()})
        members_listing("Rust", 6, strong=0)
        members_listing("Python", 12, strong=10)
        members_listing("Go", 6, strong=0)
        search("Rust", range(40))
        search("Rust", range(40))  # the same visitors again the same day: not counted twice
        search("Python", range(100, 140))
        search("Go", range(200, 212))
        search("COBOL", range(300, 304))  # 4 < k
        rollup()


def test_a_skewed_network_shows_the_scarce_skills_first(skewed):
    with time_machine.travel(NOW, tick=False):
        rows = insights()
    assert [r["skill"]["name"] for r in rows] == ["Rust", "Go", "Python"]
    rust = rows[0]
    assert rust["demand"] == 40 and rust["searches"] == 40 and rust["strongSupply"] == 0 and rust["listing"] == 6
    assert rust["scarcity"] == 40.0
    assert rows[2]["strongSupply"] == 10 and rows[2]["scarcity"] == pytest.approx(40 / 11, abs=1e-3)
    # Parts under k are null, not a small number.
    assert rust["views"] is None and rust["requests"] is None


def test_the_page_shows_scarce_skills_as_an_accessible_chart_with_a_table(skewed):
    with time_machine.travel(NOW, tick=False):
        page = Client().get("/insights/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg role="img" aria-labelledby="scarce-chart-title scarce-chart-desc"' in html
    assert '<title id="scarce-chart-title">' in html and '<desc id="scarce-chart-desc">' in html
    table = html[html.index('<table class="data-table">') :]
    table = table[: table.index("</table>")]
    assert re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', table) == ["Rust", "Go", "Python"]
    assert "<script" not in html[html.index('id="insights-title"') :]  # readable without JavaScript


def test_under_threshold_aggregates_never_appear(skewed, settings):
    with time_machine.travel(NOW, tick=False):
        assert "COBOL" not in {r["skill"]["name"] for r in insights()}
        html = Client().get("/insights/").content.decode()
        assert "COBOL" not in html
        # One more visitor brings it to k: it shows.
        search("COBOL", [399])
        rollup()
        assert "COBOL" in {r["skill"]["name"] for r in insights()}
        settings.INSIGHTS_MIN_COUNT = 50  # a stricter k: nothing reaches it
        assert insights() == []
        assert "Rust" not in Client().get("/insights/").content.decode()


def test_a_visitor_is_counted_once_per_skill_a_day_and_capped(settings):
    settings.INSIGHTS_SIGNALS_PER_VISITOR_PER_DAY = 3
    with time_machine.travel(NOW, tick=False):
        ana = make_member("ana")
        for name in ("Go", "Rust", "SQL", "Linux", "Docker"):
            add_skill(ana, name=name)
        client = Client(REMOTE_ADDR="10.9.9.9")
        for _ in range(3):
            assert client.get("/?skill=Go").status_code == 200
        assert DemandSignal.objects.filter(kind="SEARCH").count() == 1
        client.get("/m/ana/")  # five skills listed, room for two more signals today
        assert DemandSignal.objects.count() == 3
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        client.get("/?skill=Go")  # a new day: counted again, under another key
        assert DemandSignal.objects.filter(kind="SEARCH").count() == 2
        keys = set(DemandSignal.objects.filter(kind="SEARCH").values_list("visitor", flat=True))
        assert len(keys) == 2  # a visitor cannot be followed from one day to the next


def test_the_graphql_search_by_skill_is_a_signal_and_the_owner_viewing_is_not():
    with time_machine.travel(NOW, tick=False):
        ana = make_member("ana")
        add_skill(ana, name="Go")
        gql(client_for(make_member("ben")), 'query { members(skill: "Go") { edges { node { username } } } }')
        assert DemandSignal.objects.filter(kind="SEARCH").count() == 1
        client_for(ana).get("/m/ana/")
        assert not DemandSignal.objects.filter(kind="VIEW").exists()
        client_for(make_member("cleo")).get("/m/ana/")
        assert DemandSignal.objects.filter(kind="VIEW").count() == 1


def test_a_member_who_opts_out_adds_no_views():
    with time_machine.travel(NOW, tick=False):
        ana = make_member("ana")
        add_skill(ana, name="Go")
        payload = data_of(gql(client_for(ana), OPT_OUT, {"counted": False}))["setProfileViewsCounted"]
        assert payload == {"counted": False, "errors": []}
        for i in range(10):
            record_profile_view(visitor(i), ana, [ana.member_skills.get().skill_id])
            Client(REMOTE_ADDR=f"10.1.1.{i}").get("/m/ana/")
        assert not DemandSignal.objects.filter(kind="VIEW").exists()
        data_of(gql(client_for(ana), OPT_OUT, {"counted": True}))
        Client(REMOTE_ADDR="10.1.1.200").get("/m/ana/")
        assert DemandSignal.objects.filter(kind="VIEW").count() == 1


def test_opting_out_is_for_oneself_and_signed_in_only():
    ana, ben = make_member("ana"), make_member("ben")
    assert unauthenticated(gql(Client(), OPT_OUT, {"counted": False}))
    data_of(gql(client_for(ben), OPT_OUT, {"counted": False}))
    from insights.services import views_counted

    assert views_counted(ana) and not views_counted(ben)


def test_rising_skills_over_90_days():
    with time_machine.travel(NOW - timedelta(days=75), tick=False):
        for name in ("Rust", "Go"):
            Skill.objects.get_or_create(name=name, defaults={"slug": name.lower(), "key": name.lower()})
        search("Rust", range(6))
        search("Go", range(30))
        rollup()
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        search("Rust", range(15))
        search("Go", range(30))
        rollup()
    with time_machine.travel(NOW, tick=False):
        search("Rust", range(40))
        search("Go", range(20))  # falling: not rising
        rollup()
        html = Client().get("/insights/").content.decode()
    rising = html[html.index('id="rising-title"') :]
    assert 'aria-labelledby="rising-chart-title rising-chart-desc"' in rising
    table = rising[rising.index("<table") : rising.index("</table>")]
    assert re.findall(r'<th scope="row">([^<]+)</th>((?:<td>[^<]*</td>)+)', table) == [
        ("Rust", "<td>6</td><td>15</td><td>40</td>")
    ]


def _badge(owner, skill_name: str, issuer: str, n: int) -> None:
    ms = MemberSkill.objects.get(member=owner, skill__name=skill_name)
    Badge.objects.create(
        owner=owner,
        member_skill=ms,
        status="VERIFIED",
        public=True,
        issuer_trust="CONFIRMED",
        issuer_name=issuer,
        name=f"{skill_name} badge",
        source_kind="URL",
        source_url=f"https://issuer.example/{owner.username}/{n}",
        source_digest=f"{owner.username}-{skill_name}-{n}",
    )


def test_badge_issuers_per_skill_and_skills_to_strengthen(skewed, settings):
    """Members listing Python also list Rust (co-listed by at least k); Rust is in demand; Ana lists Python only, so
    Rust is hers to strengthen, with the issuer five others' Rust badges come from (one with four is left out)."""
    with time_machine.travel(NOW, tick=False):
        rustaceans = list(User.objects.filter(username__startswith="rust"))
        for m in rustaceans:
            add_skill(m, name="Python")
        extra = members_listing("Rust", 3, prefix="extra")
        for i, m in enumerate(rustaceans[:5]):
            _badge(m, "Rust", "Rust Foundation", i)
        for i, m in enumerate(rustaceans[5:] + extra):
            _badge(m, "Rust", "Tiny Issuer", i)  # 4 < k
        ana = make_member("ana")
        add_skill(ana, name="Python")
        rollup()
        rows = {r["skill"]["name"]: r for r in insights()}
        assert rows["Rust"]["issuers"] == [{"name": "Rust Foundation", "badges": 5}]
        assert rows["Rust"]["verifiedBadges"] == 9
        html = Client().get("/insights/").content.decode()
        assert "Rust Foundation" in html and "Tiny Issuer" not in html
        mine = data_of(gql(client_for(ana), SUGGESTED, {"u": "ana"}))["member"]["suggestedSkills"]
        assert {"name": "Rust"} in mine
        page = client_for(ana).get("/insights/").content.decode()
        strengthen = page[page.index('id="strengthen-title"') :]
        assert "Rust" in strengthen and "Rust Foundation (5)" in strengthen
        # Nobody else learns where ana is weak.
        assert data_of(gql(client_for(make_member("zed")), SUGGESTED, {"u": "ana"}))["member"]["suggestedSkills"] == []
        assert data_of(gql(Client(), SUGGESTED, {"u": "ana"}))["member"] in (None, {"suggestedSkills": []})


def test_the_rollup_is_a_periodic_job_and_idempotent(settings):
    spec = settings.PERIODIC_JOBS["insights.rollup"]
    assert 0 < spec["every"] <= 86400
    with time_machine.travel(NOW, tick=False):
        Skill.objects.get_or_create(name="Rust", defaults={"slug": "rust", "key": "rust"})
        search("Rust", range(7))
        import_string(spec["task"]).call()
        first = list(SkillDay.objects.values())
        import_string(spec["task"]).call()
        assert list(SkillDay.objects.values()) == first
    # Raw signals do not outlive their rollup by more than two days.
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        import_string(spec["task"]).call()
    assert not DemandSignal.objects.exists()
    assert SkillDay.objects.get(day=NOW.date(), skill__name="Rust").searches == 7


def test_skill_insights_take_a_fixed_number_of_queries(skewed, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.get("/")  # session and the like out of the way

        with django_assert_num_queries(5):  # demand, latest day, supply, skills, issuers
            few = insights(client, first=2)
        for name in ("Kotlin", "Java", "Scala", "Ruby"):
            Skill.objects.get_or_create(name=name, defaults={"slug": name.lower(), "key": name.lower()})
            search(name, range(500, 520))
        rollup()
        with django_assert_num_queries(5):
            many = insights(client, first=10)
    assert len(few) == 2 and len(many) == 7


def test_suggested_skills_take_the_same_queries_however_many_neighbours(skewed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client) -> tuple[int, list]:
        with CaptureQueriesContext(connection) as ctx:
            skills = data_of(gql(client, SUGGESTED, {"u": "ana"}))["member"]["suggestedSkills"]
        return len(ctx.captured_queries), skills

    with time_machine.travel(NOW, tick=False):
        ana = make_member("ana")
        add_skill(ana, name="Python")
        for m in User.objects.filter(username__startswith="python")[:6]:
            add_skill(m, name="Rust")
        rollup()
        client = client_for(ana)
        count(client)  # warm: session, document cache
        few, first = count(client)
        for name in ("Kotlin", "Java", "Scala"):
            Skill.objects.get_or_create(name=name, defaults={"slug": name.lower(), "key": name.lower()})
            for m in User.objects.filter(username__startswith="python")[:6]:
                add_skill(m, name=name)
            search(name, range(600, 630))
        rollup()
        many, more = count(client)
    assert {"name": "Rust"} in first and len(more) > len(first)
    assert many == few
