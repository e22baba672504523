"""Member controls on the pages: "Who may endorse me" and the review queue in settings, the profile saying up
front why the viewer may not endorse, one relationship per endorser and member in the endorse form, and
blocking with a confirmation step and "Blocked · Unblock" on the profile."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import Endorsement
from endorsements.policy import update_endorsement_settings
from endorsements.services import endorse
from frontend.tests.helpers import html
from profiles.models import Block, Profile
from profiles.services import block_member
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill
from vouch.testing import CountQueries, client_for

pytestmark = pytest.mark.django_db


def test_settings_page_saves_who_may_endorse_and_review():
    ana = make_member("ana")
    client = client_for(ana)
    page = html(client.get("/settings/endorsements/"))
    assert "Who may endorse me" in page and "Only people I asked for an endorsement" in page
    assert "Let me review new endorsements before they show" in page
    response = client.post(
        "/settings/endorsements/controls/", {"who_may_endorse": "ORGANISATION_AND_ASKED", "review_before_showing": "on"}
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=ana)
    assert profile.who_may_endorse == "ORGANISATION_AND_ASKED" and profile.review_before_showing
    bad = client.post("/settings/endorsements/controls/", {"who_may_endorse": "EVERYONE"})
    assert bad.status_code == 400
    assert Profile.objects.get(user=ana).who_may_endorse == "ORGANISATION_AND_ASKED"
    # Another member's post changes only their own settings; anonymous visitors are sent to log in.
    client_for(make_member("otto")).post("/settings/endorsements/controls/", {"who_may_endorse": "ONLY_ASKED"})
    assert Profile.objects.get(user=ana).who_may_endorse == "ORGANISATION_AND_ASKED"
    assert Client().post("/settings/endorsements/controls/", {"who_may_endorse": "ANYONE"}).status_code == 302
    assert Profile.objects.get(user=ana).who_may_endorse == "ORGANISATION_AND_ASKED"


def test_review_queue_shows_and_hides_from_the_settings_page():
    ana = make_member("ana", display_name="Ana")
    add_skill(ana, name="Go")
    add_skill(ana, name="SQL")
    update_endorsement_settings(ana, review_before_showing=True)
    maria, lena = make_member("maria", display_name="Maria"), make_member("lena", display_name="Lena")
    first = endorse(maria, member="ana", skill="Go", relationship="PEER", comment="Solid")
    second = endorse(lena, member="ana", skill="SQL", relationship="PEER")
    client = client_for(ana)
    page = html(client.get("/settings/endorsements/"))
    assert "Waiting for your review (2)" in page and "Solid" in page
    # Others see nothing of it on the profile; the endorser sees theirs as waiting.
    assert "Maria" not in html(Client().get("/m/ana/"))
    assert "Waiting for Ana’s review" in html(client_for(maria).get("/m/ana/"))
    assert client.post(f"/endorsements/{first.pk}/hidden/", {"hidden": "0"}).status_code == 302
    assert client.post(f"/endorsements/{second.pk}/hidden/", {"hidden": "1"}).status_code == 302
    assert "Nothing is waiting for your review." in html(client.get("/settings/endorsements/"))
    assert MemberSkill.objects.get(member=ana, skill__name="Go").endorsement_count == 1
    assert MemberSkill.objects.get(member=ana, skill__name="SQL").endorsement_count == 0
    assert "Maria" in html(Client().get("/m/ana/"))
    # Nobody else can act on the queue.
    third = endorse(make_member("zed"), member="ana", skill="SQL", relationship="PEER")
    assert client_for(maria).post(f"/endorsements/{third.pk}/hidden/", {"hidden": "0"}).status_code == 404
    assert Endorsement.objects.get(pk=third.pk).pending_review


def test_settings_endorsements_page_query_count_does_not_grow_with_the_queue():
    ana = make_member("ana")
    add_skill(ana, name="Go")
    update_endorsement_settings(ana, review_before_showing=True)
    endorse(make_member("first"), member="ana", skill="Go", relationship="PEER")
    client = client_for(ana)
    with CountQueries() as few:
        client.get("/settings/endorsements/")
    for i in range(6):
        add_skill(ana, name=f"Skill{i}")
        endorse(make_member(f"fan{i}"), member="ana", skill=f"Skill{i}", relationship="PEER")
    with CountQueries() as many:
        client.get("/settings/endorsements/")
    assert many.count == few.count


def test_profile_says_up_front_why_the_viewer_may_not_endorse():
    ana = make_member("ana", display_name="Ana")
    add_skill(ana, name="Go")
    update_endorsement_settings(ana, who_may_endorse="ONLY_ASKED")
    sam = make_member("sam")
    body = html(client_for(sam).get("/m/ana/"))
    assert 'action="/m/ana/endorse/"' not in body
    assert "Ana accepts endorsements only from people they asked." in body
    # Posted anyway, the service refuses with the same reason and writes nothing.
    response = client_for(sam).post("/m/ana/endorse/", {"skill": "Go", "relationship": "PEER"})
    assert response.status_code == 400 and "only from people they asked" in html(response)
    assert not Endorsement.objects.exists()


def test_endorse_form_keeps_the_pairs_relationship_and_says_so():
    ana = make_member("ana", display_name="Ana")
    add_skill(ana, name="Go")
    add_skill(ana, name="SQL")
    maria = make_member("maria")
    endorse(maria, member="ana", skill="Go", relationship="MANAGER")
    client = client_for(maria)
    body = html(client.get("/m/ana/"))
    assert "You endorsed Ana before as “their manager”" in body
    assert '<option value="MANAGER" selected>' in body
    response = client.post("/m/ana/endorse/", {"skill": "SQL", "relationship": "PEER"}, follow=True)
    assert "so this endorsement says the same (not “a peer”)" in html(response)
    assert Endorsement.objects.get(skill__name="SQL").relationship == "MANAGER"


def test_blocking_from_a_profile_asks_first_then_shows_blocked_and_unblock():
    ana, eve = make_member("ana"), make_member("eve", display_name="Eve")
    client = client_for(ana)
    assert "Block Eve…" in html(client.get("/m/eve/"))
    confirm = client.post("/settings/blocked/add/", {"username": "eve", "next": "/m/eve/"})
    assert confirm.status_code == 200 and "Block Eve?" in html(confirm) and 'name="confirm" value="1"' in html(confirm)
    assert not Block.objects.exists()
    done = client.post("/settings/blocked/add/", {"username": "eve", "confirm": "1", "next": "/m/eve/"})
    assert done.status_code == 302 and done["Location"] == "/m/eve/"
    profile = html(client.get("/m/eve/"))
    assert "You blocked Eve" in profile and "Blocked</span> · <button" in profile and "Unblock" in profile
    # Eve is not told who blocked: her refusal says only that one of them did.
    add_skill(ana, name="Go")
    eves_view = html(client_for(eve).get("/m/ana/"))
    assert "one of you blocked the other" in eves_view and "You blocked" not in eves_view
    client.post("/settings/blocked/remove/", {"username": "eve", "next": "/m/eve/"})
    assert not Block.objects.exists() and "Block Eve…" in html(client.get("/m/eve/"))


def test_block_confirmation_does_not_link_off_site():
    ana = make_member("ana")
    make_member("eve")
    body = html(client_for(ana).post("/settings/blocked/add/", {"username": "eve", "next": "javascript:alert(1)"}))
    assert "javascript:" not in body


def test_notifications_page_says_an_endorsement_awaits_review():
    ana = make_member("ana")
    add_skill(ana, name="Go")
    update_endorsement_settings(ana, review_before_showing=True)
    endorse(make_member("maria", display_name="Maria"), member="ana", skill="Go", relationship="PEER")
    body = html(client_for(ana).get("/notifications/"))
    assert "Maria endorsed you for Go. It awaits your review" in body and "/settings/endorsements/#review" in body


def test_blocked_profile_state_is_only_for_the_blocker():
    ana, eve = make_member("ana"), make_member("eve", display_name="Eve")
    block_member(ana, member=eve)
    assert "You blocked" not in html(client_for(make_member("zed")).get("/m/eve/"))
    assert "You blocked" not in html(Client().get("/m/eve/"))
