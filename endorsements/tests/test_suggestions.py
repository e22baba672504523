"""Whom to ask (endorsements.suggestions.whom_to_ask) and where the pages show it: colleagues at the verified
organisation, members who endorse you already, members strong in the skill; never yourself, blocked members,
people who endorsed that skill already or have a request for it pending."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.services import endorse, request_endorsement
from endorsements.suggestions import ENDORSES_YOU, SAME_ORGANISATION, STRONG_IN_SKILL, whom_to_ask
from endorsements.tests.factories import listing
from frontend.tests.helpers import html
from profiles.models import Block
from profiles.services import verify_organisation
from profiles.tests.factories import make_member
from skills.models import Skill
from vouch.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    verify_organisation(None, domain="northwind.example", name="Northwind Labs")
    ana = make_member("ana", display_name="Ana Lima", email="ana@northwind.example")
    lena = make_member("lena", display_name="Lena Fischer", email="lena@eng.northwind.example")  # sub-domain
    omar = make_member("omar", display_name="Omar Haddad", email="omar@elsewhere.example")
    yuki = make_member("yuki", display_name="Yuki Tanaka", email="yuki@elsewhere.example")
    zed = make_member("zed", display_name="Zed Nobody", email="zed@elsewhere.example")
    listing(ana, "Python")
    listing(ana, "Go")
    listing(yuki, "Python")
    endorse(omar, member=ana, skill="Go", relationship="PEER")  # endorses Ana already, for another skill
    endorse(omar, member=yuki, skill="Python", relationship="PEER")  # Yuki: strong in Python
    return {u.username: u for u in (ana, lena, omar, yuki, zed)}


def _by_name(suggestions):
    return {s.member.username: s for s in suggestions}


def test_three_sources_with_their_reasons(world):
    found = _by_name(whom_to_ask(world["ana"], Skill.objects.get(name="Python")))
    assert found["lena"].reasons == [SAME_ORGANISATION] and found["lena"].text == "Works at Northwind Labs too"
    assert found["omar"].reasons == [ENDORSES_YOU] and found["omar"].text == "Endorses your Go"
    assert found["yuki"].reasons == [STRONG_IN_SKILL] and found["yuki"].text.startswith("Strong in Python (")
    assert "ana" not in found and "zed" not in found  # never yourself; no reason, no suggestion


def test_excludes_blocked_already_endorsed_and_pending(world):
    ana, omar, yuki, lena = world["ana"], world["omar"], world["yuki"], world["lena"]
    python = Skill.objects.get(name="Python")
    Block.objects.create(blocker=yuki, blocked=ana)  # either side's block counts
    endorse(lena, member=ana, skill="Python", relationship="PEER")
    request_endorsement(ana, recipient="omar", skill="Python", relationship="PEER")
    assert _by_name(whom_to_ask(ana, python)) == {}
    assert set(_by_name(whom_to_ask(ana, Skill.objects.get(name="Go")))) == {"lena"}  # Omar endorsed Go already
    assert omar.pk  # (used above)


def test_limit_and_anonymous(world):
    python = Skill.objects.get(name="Python")
    assert len(whom_to_ask(world["ana"], python, limit=1)) == 1
    assert whom_to_ask(world["ana"], python, limit=0) == []
    from django.contrib.auth.models import AnonymousUser

    assert whom_to_ask(AnonymousUser(), python) == []


def test_a_fixed_number_of_queries_however_many_candidates(world, django_assert_num_queries):
    python = Skill.objects.get(name="Python")
    for n in range(8):
        listing(make_member(f"extra{n}", email=f"extra{n}@northwind.example"), "Python")
    # blocks (2), endorsed and pending (2), workplace (2), its domains, colleagues, endorsers, strong, members
    with django_assert_num_queries(11):
        assert len(whom_to_ask(world["ana"], python, limit=20)) > 8


def test_requests_page_lists_suggestions_and_prefills_the_form(world):
    body = html(client_for(world["ana"]).get("/requests/?skill=Python"))
    assert "Whom to ask about Python" in body
    assert "Lena Fischer" in body and "Works at Northwind Labs too" in body
    assert "/requests/?to=lena&amp;skill=Python#ask" in body
    prefilled = html(client_for(world["ana"]).get("/requests/?to=lena&skill=Python"))
    assert 'value="lena"' in prefilled


def test_request_form_takes_a_display_name(world):
    response = client_for(world["ana"]).post(
        "/requests/new/", {"recipient": "Lena Fischer", "skill": "Python", "relationship": "PEER", "message": ""}
    )
    assert response.status_code == 302
    from endorsements.models import EndorsementRequest

    assert EndorsementRequest.objects.get().recipient == world["lena"]


def test_ask_from_another_members_profile(world):
    ana, lena = world["ana"], world["lena"]
    body = html(client_for(ana).get("/m/lena/"))
    assert "Ask Lena Fischer for an endorsement" in body and 'name="recipient" value="lena"' in body
    assert "Ask " not in html(client_for(ana).get("/m/ana/")).split("Ask for an endorsement")[0].split("<aside")[-1]
    assert "for an endorsement" not in html(Client().get("/m/lena/")).split("<aside")[-1].split("Endorse")[0]
    response = client_for(ana).post(
        "/requests/new/",
        {"recipient": "lena", "skill": "Go", "relationship": "PEER", "message": "Hi", "next": "/m/lena/#ask"},
    )
    assert response.status_code == 302 and response["Location"] == "/m/lena/#ask"
    assert lena.endorsement_requests_received.get().skill.name == "Go"


WHOM = (
    "query($u: String!, $s: String) { member(username: $u) { "
    "whomToAsk(skill: $s) { member { username } reasons text } } }"
)


def test_whom_to_ask_through_graphql_is_the_members_own(world):
    from vouch.testing import data_of, gql

    mine = data_of(gql(client_for(world["ana"]), WHOM, {"u": "ana", "s": "Python"}))["member"]["whomToAsk"]
    found = {row["member"]["username"]: row for row in mine}
    assert found["lena"]["reasons"] == ["SAME_ORGANISATION"] and found["lena"]["text"] == "Works at Northwind Labs too"
    assert found["omar"]["reasons"] == ["ENDORSES_YOU"] and found["yuki"]["reasons"] == ["STRONG_IN_SKILL"]
    other = data_of(gql(client_for(world["zed"]), WHOM, {"u": "ana", "s": "Python"}))["member"]["whomToAsk"]
    assert other == []
    assert data_of(gql(Client(), WHOM, {"u": "ana", "s": "Python"}))["member"]["whomToAsk"] == []
    unknown = data_of(gql(client_for(world["ana"]), WHOM, {"u": "ana", "s": "Cobol"}))["member"]["whomToAsk"]
    assert unknown == []
