"""Requests /requests/: ask a colleague; the recipient accepts with a comment or declines; the requester cancels."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import Endorsement, EndorsementRequest
from endorsements.services import request_endorsement
from frontend.tests.helpers import assert_csp_clean, csrf_client, html
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.testing import client_for

pytestmark = pytest.mark.django_db


def _pair():
    ana = make_member("ana", display_name="Ana Lima")
    add_skill(ana, name="Kubernetes")
    maria = make_member("maria", display_name="Maria Okafor", seniority="MANAGER")
    return ana, maria


def test_requests_page_needs_a_signed_in_member():
    assert Client().get("/requests/")["Location"].startswith("/accounts/login/")


def test_ask_accept_with_comment_and_both_sides_see_the_status():
    ana, maria = _pair()
    response = client_for(ana).post(
        "/requests/new/", {"recipient": "maria", "skill": "Kubernetes", "relationship": "MANAGER", "message": "Please?"}
    )
    assert response.status_code == 302
    request = EndorsementRequest.objects.get()
    inbox = client_for(maria).get("/requests/")
    assert "Ana Lima" in html(inbox) and "Please?" in html(inbox) and f"/requests/{request.pk}/respond/" in html(inbox)
    assert_csp_clean(inbox)
    client_for(maria).post(f"/requests/{request.pk}/respond/", {"accept": "1", "comment": "Ran our clusters"})
    endorsement = Endorsement.objects.get()
    assert (endorsement.endorser, endorsement.member, endorsement.comment) == (maria, ana, "Ran our clusters")
    assert "Accepted" in html(client_for(ana).get("/requests/"))
    assert "Ran our clusters" in html(Client().get("/m/ana/"))


def test_decline_and_cancel():
    ana, maria = _pair()
    r1 = request_endorsement(ana, recipient=maria, skill="Kubernetes", relationship="PEER")
    client_for(maria).post(f"/requests/{r1.pk}/respond/", {"accept": "0"})
    r1.refresh_from_db()
    assert r1.status == "DECLINED" and not Endorsement.objects.exists()
    r2 = request_endorsement(ana, recipient=maria, skill="Kubernetes", relationship="PEER")
    client_for(ana).post(f"/requests/{r2.pk}/cancel/")
    r2.refresh_from_db()
    assert r2.status == "CANCELLED"
    assert "Cancelled" in html(client_for(ana).get("/requests/"))


def test_nobody_else_can_answer_or_cancel_and_nothing_changes():
    ana, maria = _pair()
    eve = make_member("eve")
    r = request_endorsement(ana, recipient=maria, skill="Kubernetes", relationship="PEER")
    assert client_for(eve).post(f"/requests/{r.pk}/respond/", {"accept": "1"}).status_code == 404
    assert client_for(eve).post(f"/requests/{r.pk}/cancel/").status_code == 404
    assert client_for(ana).post(f"/requests/{r.pk}/respond/", {"accept": "1"}).status_code == 404  # not the recipient
    assert client_for(maria).post(f"/requests/{r.pk}/cancel/").status_code == 404  # not the requester
    assert Client().post(f"/requests/{r.pk}/respond/", {"accept": "1"}).status_code == 302  # to log in
    r.refresh_from_db()
    assert r.status == "PENDING" and not Endorsement.objects.exists()
    assert "Ana Lima" not in html(client_for(eve).get("/requests/"))


def test_answering_twice_shows_the_state_and_makes_one_endorsement():
    ana, maria = _pair()
    r = request_endorsement(ana, recipient=maria, skill="Kubernetes", relationship="PEER")
    client = client_for(maria)
    client.post(f"/requests/{r.pk}/respond/", {"accept": "1"})
    response = client.post(f"/requests/{r.pk}/respond/", {"accept": "1"}, follow=True)
    assert "This request is accepted." in html(response)
    assert Endorsement.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"recipient": "ghost", "skill": "Kubernetes", "relationship": "PEER"}, "member"),
        ({"recipient": "ana", "skill": "Kubernetes", "relationship": "PEER"}, "You cannot ask yourself"),
        ({"recipient": "maria", "skill": "Cobol", "relationship": "PEER"}, "Select a valid choice"),
        ({"recipient": "maria", "skill": "Kubernetes", "relationship": "BOSS"}, "Select a valid choice"),
        ({"recipient": "", "skill": "Kubernetes", "relationship": "PEER"}, "This field is required"),
    ],
)
def test_bad_request_input_shows_errors_and_writes_nothing(data, message):
    ana, maria = _pair()
    response = client_for(ana).post("/requests/new/", data)
    assert response.status_code == 400
    assert message in html(response)
    assert not EndorsementRequest.objects.exists()


def test_request_post_needs_csrf():
    ana, maria = _pair()
    response = csrf_client(ana).post(
        "/requests/new/", {"recipient": "maria", "skill": "Kubernetes", "relationship": "PEER"}
    )
    assert response.status_code == 403 and not EndorsementRequest.objects.exists()


def test_member_without_skills_is_told_to_list_one_first():
    body = html(client_for(make_member("new")).get("/requests/"))
    assert "List a skill first" in body
