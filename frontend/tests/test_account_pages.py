"""allauth's classic pages inside the site's layout: sign up, verify, log in, log out, reset password."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from frontend.tests.helpers import assert_csp_clean, html
from profiles.tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"])
def test_account_pages_use_the_site_layout_with_labelled_fields(path):
    response = Client().get(path)
    body = html(response)
    assert response.status_code == 200
    assert 'class="site-header"' in body and 'class="card auth-card"' in body and "Skip to content" in body
    assert re.search(r'<label for="id_email">|<label for="id_login">', body)
    for ids in re.findall(r'aria-describedby="([^"]+)"', body):  # password rules etc. are announced: ids exist
        assert all(f'id="{one}"' in body for one in ids.split()), ids
    assert_csp_clean(response)


def test_sign_up_verify_by_the_emailed_link_and_land_on_the_complete_your_profile_step():
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "newbie@example.com",
            "username": "newbie",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
        follow=True,
    )
    assert "Verify Your Email Address" in html(response) and 'class="card auth-card"' in html(response)
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    confirm = client.get(link)
    assert "Confirm" in html(confirm)
    done = client.post(link, follow=True)
    # The first login after confirming lands on the complete-your-profile step (frontend/tests/test_welcome.py).
    assert done.redirect_chain[-1][0] == "/settings/?welcome=1"
    assert "Complete your profile" in html(done)
    profile = client.get("/me/", follow=True)
    assert profile.redirect_chain[-1][0] == "/m/newbie/"
    assert "List the skills you want people to vouch for." in html(profile)


def test_sign_up_with_bad_input_shows_errors_next_to_fields():
    response = Client().post("/accounts/signup/", {"email": "not-an-email", "password1": "short", "password2": "other"})
    body = html(response)
    assert response.status_code == 200
    assert 'class="field-errors"' in body or "errorlist" in body


def test_log_in_and_out():
    make_member("ana")
    client = Client()
    response = client.post("/accounts/login/", {"login": "ana@example.com", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/m/ana/"
    assert "Log out" in html(response)
    response = client.post("/accounts/logout/", follow=True)
    assert "Log in" in html(response) and "Log out" not in html(response)
