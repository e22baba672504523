"""The complete-your-profile step: the first login of a member who never named themselves lands on it (once per
session), seniority is asked with nothing preselected, and saving it goes on to the skills."""

from __future__ import annotations

import pytest
from django.test import Client

from frontend.tests.helpers import html
from profiles.tests.factories import make_member
from vouch.testing import client_for

pytestmark = pytest.mark.django_db


def test_first_login_of_an_unnamed_member_lands_on_the_step_once_per_session():
    nia = make_member("nia", display_name="")
    client = client_for(nia)
    assert client.get("/me/")["Location"] == "/settings/?welcome=1"
    assert client.get("/me/")["Location"] == "/m/nia/"  # asked once: "Skip for now" goes to the profile
    named = make_member("maria", display_name="Maria Okafor")
    assert client_for(named).get("/me/")["Location"] == "/m/maria/"
    assert Client().get("/me/")["Location"].startswith("/accounts/login/")


def test_the_step_asks_seniority_without_a_default_and_refuses_none():
    nia = make_member("nia", display_name="")
    client = client_for(nia)
    body = html(client.get("/settings/?welcome=1"))
    assert "Complete your profile" in body and "Skip for now" in body
    assert '<option value="" selected>Choose your level</option>' in body
    assert 'value="MID" selected' not in body
    refused = client.post(
        "/settings/",
        {"welcome": "1", "display_name": "Nia Adeyemi", "headline": "", "seniority": "", "visibility": "PUBLIC"},
    )
    assert refused.status_code == 400
    nia.profile.refresh_from_db()
    assert nia.profile.display_name == ""  # nothing written
    saved = client.post(
        "/settings/",
        {
            "welcome": "1",
            "display_name": "Nia Adeyemi",
            "headline": "Platform engineer",
            "seniority": "JUNIOR",
            "organisation": "Northwind Labs",
            "visibility": "PUBLIC",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == "/settings/skills/"
    nia.profile.refresh_from_db()
    assert (nia.profile.display_name, nia.profile.seniority, nia.profile.organisation) == (
        "Nia Adeyemi",
        "JUNIOR",
        "Northwind Labs",
    )


def test_the_ordinary_settings_page_keeps_the_stored_seniority():
    ana = make_member("ana", display_name="Ana Lima", seniority="SENIOR")
    body = html(client_for(ana).get("/settings/"))
    assert 'value="SENIOR" selected' in body and "Complete your profile" not in body
