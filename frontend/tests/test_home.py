"""Home: search members by name or skill, ranked by the skill's score; a plain GET form (no JavaScript needed)."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.services import endorse
from frontend.tests.helpers import assert_csp_clean, html
from profiles.models import Visibility
from profiles.services import update_profile
from profiles.tests.factories import make_member
from skills.services import add_skill

pytestmark = pytest.mark.django_db


def _ranked_network():
    ana, bo, cy = make_member("ana", display_name="Ana Lima"), make_member("bob"), make_member("cyd")
    for m in (ana, bo):
        add_skill(m, name="Kubernetes")
    for n in range(3):
        endorse(make_member(f"fan{n}", seniority="MANAGER"), member=bo, skill="Kubernetes", relationship="MANAGER")
    return ana, bo, cy


def test_home_without_query_shows_the_search_form_and_popular_skills():
    add_skill(make_member("ana"), name="Python")
    response = Client().get("/")
    body = html(response)
    assert response.status_code == 200
    assert '<form class="search-form" method="get" action="/"' in body
    assert 'href="/?skill=Python"' in body
    assert_csp_clean(response)


def test_skill_search_ranks_members_by_that_skills_score():
    _ranked_network()
    body = html(Client().get("/", {"skill": "k8s"}))  # an alias finds the canonical skill
    assert "People with Kubernetes" in body
    assert body.index("/m/bob/") < body.index("/m/ana/")
    assert "/m/cyd/" not in body


def test_header_search_for_a_skill_name_ranks_by_that_skill():
    _ranked_network()
    body = html(Client().get("/", {"q": "kubernetes"}))
    assert "People with Kubernetes" in body and body.index("/m/bob/") < body.index("/m/ana/")


def test_name_search_matches_display_name_and_never_shows_emails():
    _ranked_network()
    body = html(Client().get("/", {"q": "Lima"}))
    assert "/m/ana/" in body and "/m/bob/" not in body
    assert "@example.com" not in body


def test_unknown_skill_finds_nobody():
    _ranked_network()
    body = html(Client().get("/", {"skill": "Underwater basket weaving"}))
    assert "No one lists a skill called" in body


def test_members_only_profiles_are_left_out_for_anonymous_visitors_but_not_for_members():
    ana, bo, cy = _ranked_network()
    update_profile(bo, visibility=Visibility.MEMBERS)
    assert "/m/bob/" not in html(Client().get("/", {"skill": "Kubernetes"}))
    client = Client()
    client.force_login(cy)
    assert "/m/bob/" in html(client.get("/", {"skill": "Kubernetes"}))


def test_overlong_query_is_a_form_error_not_a_500():
    response = Client().get("/", {"q": "x" * 500})
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in html(response)
