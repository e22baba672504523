"""Settings: profile and avatar, skills (add, remove, reorder, endorsements off), blocks, endorsements received,
notification preferences. Owner only; another member cannot touch someone else's things; bad input writes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from endorsements.services import endorse
from frontend.templatetags.vouch import KIND_LABELS
from frontend.tests.helpers import assert_csp_clean, csrf_client, html
from profiles.models import Block, Profile
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill
from vouch.testing import client_for

pytestmark = pytest.mark.django_db

PAGES = ["/settings/", "/settings/skills/", "/settings/endorsements/", "/settings/blocked/", "/settings/notifications/"]


@pytest.mark.parametrize("path", PAGES)
def test_settings_pages_need_a_signed_in_member(path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", PAGES)
def test_settings_pages_render_for_the_owner_without_inline_script_or_style(path):
    response = client_for(make_member("ana")).get(path)
    assert response.status_code == 200
    assert_csp_clean(response)


def test_me_redirects_to_own_profile():
    assert client_for(make_member("ana")).get("/me/")["Location"] == "/m/ana/"


def _png(size=(40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return SimpleUploadedFile("me.png", out.getvalue(), content_type="image/png")


def test_profile_edit_with_avatar_is_saved_and_shown():
    ana = make_member("ana")
    data = {
        "display_name": "Ana L.",
        "headline": "Builds platforms",
        "seniority": "LEAD",
        "title": "",
        "organisation": "Acme",
        "visibility": "PUBLIC",
        "avatar": _png(),
    }
    response = client_for(ana).post("/settings/", data)
    assert response.status_code == 302
    profile = Profile.objects.get(user=ana)
    assert (profile.display_name, profile.headline, profile.seniority, profile.organisation) == (
        "Ana L.",
        "Builds platforms",
        "LEAD",
        "Acme",
    )
    assert profile.avatar
    assert profile.avatar.url in html(Client().get("/m/ana/"))


def test_profile_edit_bad_input_shows_errors_and_writes_nothing():
    ana = make_member("ana", display_name="Ana")
    bad = {
        "display_name": "New",
        "headline": "x" * 161,
        "seniority": "GOD",
        "visibility": "PUBLIC",
        "avatar": SimpleUploadedFile("a.png", b"not an image", content_type="image/png"),
    }
    response = client_for(ana).post("/settings/", bad)
    assert response.status_code == 400
    body = html(response)
    assert "Select a valid choice" in body and "at most 160 characters" in body
    assert Profile.objects.get(user=ana).display_name == "Ana"


def test_profile_edit_invalid_avatar_is_refused_by_the_service_and_nothing_is_written():
    ana = make_member("ana", display_name="Ana")
    data = {
        "display_name": "New",
        "seniority": "MID",
        "visibility": "PUBLIC",
        "avatar": SimpleUploadedFile("a.png", b"not an image", content_type="image/png"),
    }
    response = client_for(ana).post("/settings/", data)
    assert response.status_code == 400
    assert "not a readable PNG, JPEG or WebP image" in html(response)
    profile = Profile.objects.get(user=ana)
    assert profile.display_name == "Ana" and not profile.avatar


def test_profile_post_needs_csrf():
    ana = make_member("ana", display_name="Ana")
    response = csrf_client(ana).post("/settings/", {"display_name": "X", "seniority": "MID", "visibility": "PUBLIC"})
    assert response.status_code == 403
    assert Profile.objects.get(user=ana).display_name == "Ana"


def test_add_move_toggle_and_remove_skills():
    ana = make_member("ana")
    client = client_for(ana)
    for name in ("Python", "Go", "k8s"):
        assert client.post("/settings/skills/add/", {"name": name}).status_code == 302

    def names() -> list[str]:
        return [ms.skill.name for ms in MemberSkill.objects.filter(member=ana).order_by("position")]

    assert names() == ["Python", "Go", "Kubernetes"]
    go = MemberSkill.objects.get(member=ana, skill__name="Go")
    client.post(f"/settings/skills/{go.pk}/move/", {"direction": "up"})
    assert names() == ["Go", "Python", "Kubernetes"]
    ids = [str(ms.pk) for ms in MemberSkill.objects.filter(member=ana).order_by("-position")]
    client.post("/settings/skills/reorder/", {"order": ",".join(ids)})
    assert names() == ["Kubernetes", "Python", "Go"]
    client.post(f"/settings/skills/{go.pk}/endorsements/", {"enabled": "0"})
    go.refresh_from_db()
    assert go.endorsements_enabled is False
    client.post(f"/settings/skills/{go.pk}/remove/")
    assert names() == ["Kubernetes", "Python"]
    assert "Kubernetes" in html(Client().get("/m/ana/"))


def test_adding_a_duplicate_skill_shows_the_error_and_writes_nothing():
    ana = make_member("ana")
    add_skill(ana, name="Python")
    response = client_for(ana).post("/settings/skills/add/", {"name": "PYTHON "})
    assert response.status_code == 400 and "You already list Python." in html(response)
    assert MemberSkill.objects.filter(member=ana).count() == 1


def test_another_member_cannot_change_my_skills():
    ana, eve = make_member("ana"), make_member("eve")
    ms = add_skill(ana, name="Python")
    client = client_for(eve)
    assert client.post(f"/settings/skills/{ms.pk}/remove/").status_code == 404
    assert client.post(f"/settings/skills/{ms.pk}/endorsements/", {"enabled": "0"}).status_code == 404
    assert client.post(f"/settings/skills/{ms.pk}/move/", {"direction": "up"}).status_code == 404
    client.post("/settings/skills/reorder/", {"order": str(ms.pk)})
    ms.refresh_from_db()
    assert ms.endorsements_enabled and MemberSkill.objects.filter(pk=ms.pk).exists()
    assert Client().post(f"/settings/skills/{ms.pk}/remove/").status_code == 302  # to log in
    assert MemberSkill.objects.filter(pk=ms.pk).exists()


def test_block_and_unblock_a_member():
    ana, eve = make_member("ana"), make_member("eve", display_name="Eve")
    client = client_for(ana)
    # Blocking asks first (docs/endorsements.md): the confirmation page, nothing written yet.
    asked = client.post("/settings/blocked/add/", {"username": "@Eve"})
    assert asked.status_code == 200 and "Block Eve?" in html(asked) and not Block.objects.exists()
    assert client.post("/settings/blocked/add/", {"username": "eve", "confirm": "1"}).status_code == 302
    assert Block.objects.filter(blocker=ana, blocked=eve).exists()
    assert "Eve" in html(client.get("/settings/blocked/"))
    client.post("/settings/blocked/remove/", {"username": "eve"})
    assert not Block.objects.exists()


def test_blocking_nobody_or_yourself_shows_an_error_and_writes_nothing():
    ana = make_member("ana")
    client = client_for(ana)
    assert "No member with that username." in html(client.post("/settings/blocked/add/", {"username": "ghost"}))
    assert "You cannot block yourself." in html(client.post("/settings/blocked/add/", {"username": "ana"}))
    assert not Block.objects.exists()


def test_endorsements_page_lists_hidden_ones_and_toggles_them():
    ana, maria = make_member("ana"), make_member("maria", display_name="Maria")
    add_skill(ana, name="Go")
    e = endorse(maria, member=ana, skill="Go", relationship="PEER")
    client = client_for(ana)
    client.post(f"/endorsements/{e.pk}/hidden/", {"hidden": "1"})
    body = html(client.get("/settings/endorsements/"))
    assert "Maria" in body and "Hidden" in body and e.explanation in body
    assert "Maria" not in html(client_for(make_member("zed")).get("/settings/endorsements/"))


def test_notification_preferences_are_saved_and_unknown_kinds_refused():
    ana = make_member("ana")
    client = client_for(ana)
    page = html(client.get("/settings/notifications/"))
    assert "Pop up on screen while I" in page and "Don" not in page  # worded positively: ticked = on
    everything_but_failed = [k for k in KIND_LABELS if k != "badge.failed"]
    saved = client.post("/settings/notifications/", {"live_shown": "1", "live": everything_but_failed})
    assert saved.status_code == 302
    assert Profile.objects.get(user=ana).muted_kinds == ["badge.failed"]
    response = client.post("/settings/notifications/", {"live_shown": "1", "live": ["nonsense"]})
    assert response.status_code == 400
    assert Profile.objects.get(user=ana).muted_kinds == ["badge.failed"]
    # A POST without the live choices (only a channel) keeps what is muted.
    assert client.post("/settings/notifications/", {"channel_badge__failed": "OFF"}).status_code == 302
    assert Profile.objects.get(user=ana).muted_kinds == ["badge.failed"]
