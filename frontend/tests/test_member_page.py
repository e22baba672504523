"""Public profile /m/<username>/: skills with score, count, top endorsers and why they count; the Endorse form."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import Endorsement
from endorsements.services import endorse, set_endorsement_hidden
from frontend.tests.helpers import assert_csp_clean, csrf_client, html
from profiles.models import Visibility
from profiles.services import block_member, update_profile
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill, set_endorsements_enabled
from vouch.testing import CountQueries, client_for

pytestmark = pytest.mark.django_db


def _ana_endorsed_by_maria():
    ana = make_member("ana", display_name="Ana Lima", headline="Platform engineer", seniority="SENIOR")
    add_skill(ana, name="Kubernetes")
    add_skill(ana, name="Go")
    maria = make_member("maria", display_name="Maria Okafor", seniority="MANAGER")
    e = endorse(maria, member=ana, skill="Kubernetes", relationship="MANAGER", comment="Ran our cluster migration.")
    return ana, maria, e


def test_anonymous_visitor_sees_skills_in_order_with_score_count_and_why_each_endorser_counts():
    ana, maria, e = _ana_endorsed_by_maria()
    response = Client().get("/m/ana/")
    body = html(response)
    assert response.status_code == 200
    assert "Ana Lima" in body and "Platform engineer" in body and "Senior" in body
    assert body.index("Kubernetes") < body.index(">Go<")
    assert "Maria Okafor" in body and "Ran our cluster migration." in body
    # The weight is said once, in plain words; the explanation says why, without repeating the number.
    assert "Managed Ana · counts 0.15×" in body
    assert e.explanation.removesuffix(" Weight 0.15.") in body and "Weight 0.15" not in body
    ms = MemberSkill.objects.get(member=ana, skill__name="Kubernetes")
    assert f"{ms.score:.1f}" in body
    assert "Log in to endorse" in body
    assert "@example.com" not in body  # no e-mail address of anyone
    assert_csp_clean(response)


def test_unknown_member_is_404():
    assert Client().get("/m/nobody/").status_code == 404


def test_members_only_profile_is_404_for_anonymous_as_if_it_did_not_exist_and_shown_to_members():
    ana, maria, _ = _ana_endorsed_by_maria()
    update_profile(ana, visibility=Visibility.MEMBERS)
    assert Client().get("/m/ana/").status_code == 404
    assert client_for(maria).get("/m/ana/").status_code == 200


def test_hidden_endorsement_is_shown_only_to_its_owner_marked_hidden():
    ana, maria, e = _ana_endorsed_by_maria()
    set_endorsement_hidden(ana, endorsement_id=e.pk, hidden=True)
    assert "Maria Okafor" not in html(Client().get("/m/ana/"))
    assert "Maria Okafor" not in html(client_for(make_member("zed")).get("/m/ana/"))
    own = html(client_for(ana).get("/m/ana/"))
    assert "Maria Okafor" in own and "Hidden — only you see this" in own


def test_profile_read_takes_the_same_number_of_queries_with_1_and_with_30_endorsements():
    ana, maria, _ = _ana_endorsed_by_maria()
    client = Client()
    client.get("/m/ana/")
    with CountQueries() as few:
        client.get("/m/ana/")
    for n in range(30):
        endorse(make_member(f"fan{n}"), member=ana, skill="Go" if n % 2 else "Kubernetes", relationship="PEER")
    with CountQueries() as many:
        client.get("/m/ana/")
    assert many.count == few.count


@pytest.mark.parametrize(
    "setup, reason",
    [
        (lambda ana, me: None, None),
        (lambda ana, me: block_member(ana, member=me), "one of you blocked the other"),
    ],
)
def test_endorse_form_is_offered_or_disabled_with_a_reason(setup, reason):
    ana, maria, _ = _ana_endorsed_by_maria()
    me = make_member("sam")
    setup(ana, me)
    body = html(client_for(me).get("/m/ana/"))
    if reason is None:
        assert 'action="/m/ana/endorse/"' in body
    else:
        assert 'action="/m/ana/endorse/"' not in body and reason in body and "disabled" in body


def test_own_profile_offers_no_endorse_form():
    ana, _, _ = _ana_endorsed_by_maria()
    body = html(client_for(ana).get("/m/ana/"))
    assert 'action="/m/ana/endorse/"' not in body and "Edit profile" in body


def test_already_endorsed_and_turned_off_skills_are_not_offered_and_say_why():
    ana, maria, _ = _ana_endorsed_by_maria()
    set_endorsements_enabled(
        ana, member_skill_id=MemberSkill.objects.get(member=ana, skill__name="Go").pk, enabled=False
    )
    body = html(client_for(maria).get("/m/ana/"))
    assert "You endorsed this" in body and "turned endorsements off for this skill" in body
    assert "You’ve endorsed every skill that is open for endorsement." in body


def test_member_endorses_from_the_profile_and_sees_it():
    ana, maria, _ = _ana_endorsed_by_maria()
    sam = make_member("sam", display_name="Sam Ode")
    client = csrf_client(sam)
    client.get("/m/ana/")
    response = client.post(
        "/m/ana/endorse/",
        {
            "skill": "Go",
            "relationship": "PEER",
            "comment": "Great reviews",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302
    assert Endorsement.objects.filter(endorser=sam, member=ana, skill__name="Go", comment="Great reviews").exists()
    assert "Sam Ode" in html(Client().get("/m/ana/"))


def test_endorse_post_without_csrf_token_is_refused_and_writes_nothing():
    ana, _, _ = _ana_endorsed_by_maria()
    sam = make_member("sam")
    response = csrf_client(sam).post("/m/ana/endorse/", {"skill": "Go", "relationship": "PEER"})
    assert response.status_code == 403
    assert not Endorsement.objects.filter(endorser=sam).exists()


def test_endorse_bad_input_shows_errors_and_writes_nothing():
    ana, _, _ = _ana_endorsed_by_maria()
    sam = make_member("sam")
    response = client_for(sam).post("/m/ana/endorse/", {"skill": "Go", "relationship": "BOSS", "comment": "x" * 1001})
    assert response.status_code == 400
    body = html(response)
    # The page takes the API's limit (endorsements.services.MAX_COMMENT), not one of its own.
    assert "Select a valid choice" in body and "at most 1000 characters" in body
    assert 'aria-invalid="true"' in body
    assert not Endorsement.objects.filter(endorser=sam).exists()


def test_endorse_refused_by_the_service_shows_its_message_and_writes_nothing():
    ana, maria, _ = _ana_endorsed_by_maria()
    response = client_for(maria).post("/m/ana/endorse/", {"skill": "Kubernetes", "relationship": "PEER"})
    assert response.status_code == 400
    assert "Already endorsed for this skill." in html(response)
    assert Endorsement.objects.filter(endorser=maria).count() == 1


def test_anonymous_endorse_post_redirects_to_login_and_writes_nothing():
    _ana_endorsed_by_maria()
    response = Client().post("/m/ana/endorse/", {"skill": "Go", "relationship": "PEER"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Endorsement.objects.count() == 1


def test_endorser_withdraws_and_nobody_else_can():
    ana, maria, e = _ana_endorsed_by_maria()
    assert client_for(make_member("sam")).post(f"/endorsements/{e.pk}/withdraw/").status_code == 404
    assert client_for(ana).post(f"/endorsements/{e.pk}/withdraw/").status_code == 404
    assert Endorsement.objects.filter(pk=e.pk).exists()
    assert client_for(maria).post(f"/endorsements/{e.pk}/withdraw/", {"next": "/m/ana/"})["Location"] == "/m/ana/"
    assert not Endorsement.objects.filter(pk=e.pk).exists()


def test_owner_hides_from_the_profile_and_anonymous_no_longer_sees_it_and_others_cannot_hide():
    ana, maria, e = _ana_endorsed_by_maria()
    assert client_for(maria).post(f"/endorsements/{e.pk}/hidden/", {"hidden": "1"}).status_code == 404
    assert Client().post(f"/endorsements/{e.pk}/hidden/", {"hidden": "1"}).status_code == 302  # to log in
    e.refresh_from_db()
    assert not e.hidden
    response = client_for(ana).post(f"/endorsements/{e.pk}/hidden/", {"hidden": "1", "next": "/m/ana/"})
    assert response["Location"] == "/m/ana/"
    assert "Maria Okafor" not in html(Client().get("/m/ana/"))
    client_for(ana).post(f"/endorsements/{e.pk}/hidden/", {"hidden": "0"})
    assert "Maria Okafor" in html(Client().get("/m/ana/"))


def test_next_parameter_never_redirects_off_site():
    ana, maria, e = _ana_endorsed_by_maria()
    response = client_for(ana).post(f"/endorsements/{e.pk}/hidden/", {"hidden": "1", "next": "//evil.example/"})
    assert response["Location"] == "/settings/endorsements/"
