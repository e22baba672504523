"""/admin/: failed sign-ins are throttled per username and per address (then even the right password is refused),
the admin can be kept to an allow-list of networks, and with DEBUG off it is not mounted unless ADMIN_URL says where.
Reproduced first: 30 guesses in 13 s, then a 302 into the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.models import User
from tests.test_settings import PRODUCTION, run_python

pytestmark = pytest.mark.django_db

PASSWORD = "staff-long-passphrase-11"


@pytest.fixture
def staff():
    return User.objects.create_superuser("boss", "boss@example.com", PASSWORD)


def _login(username: str, password: str, ip: str = "198.51.100.7"):
    return Client(REMOTE_ADDR=ip).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}
    )


def test_the_right_password_signs_in(staff):
    assert _login("boss", PASSWORD).status_code == 302


def test_after_five_wrong_passwords_for_a_username_even_the_right_one_is_refused(staff):
    for n in range(5):
        response = _login("boss", f"guess-{n}", ip=f"198.51.100.{n + 1}")  # from five addresses
        assert response.status_code == 200  # the form again, with its error
    refused = _login("boss", PASSWORD, ip="198.51.100.99")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    # Another username is not locked out.
    User.objects.create_superuser("deputy", "deputy@example.com", PASSWORD)
    assert _login("deputy", PASSWORD, ip="198.51.100.99").status_code == 302


def test_an_address_that_guesses_many_usernames_is_refused(staff):
    for n in range(10):
        assert _login(f"user{n}", "guess").status_code == 200
    assert _login("boss", PASSWORD).status_code == 429
    assert _login("boss", PASSWORD, ip="203.0.113.5").status_code == 302  # another address is not


def test_outside_the_allowed_networks_every_admin_url_is_a_404(settings, staff):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    outside, inside = Client(REMOTE_ADDR="198.51.100.7"), Client(REMOTE_ADDR="10.1.2.3")
    for path in ("/admin/", "/admin/login/", "/admin/profiles/user/", f"/admin/profiles/user/{staff.pk}/change/"):
        assert outside.get(path).status_code == 404, path
    assert inside.get("/admin/login/").status_code == 200
    inside.force_login(staff)
    assert inside.get("/admin/profiles/user/").status_code == 200


CHECK = """
import django
django.setup()
from django.urls import resolve, Resolver404
for path in ("/admin/", "/staff-3f9k/"):
    try:
        resolve(path)
        print(path, "mounted")
    except Resolver404:
        print(path, "absent")
"""


def test_with_debug_off_the_admin_is_mounted_only_where_admin_url_says():
    assert run_python(CHECK, **PRODUCTION).stdout.split() == ["/admin/", "absent", "/staff-3f9k/", "absent"]
    mounted = run_python(CHECK, **PRODUCTION, ADMIN_URL="staff-3f9k/").stdout.split()
    assert mounted == ["/admin/", "absent", "/staff-3f9k/", "mounted"]
    assert run_python(CHECK, ADMIN_URL="off").stdout.split()[:2] == ["/admin/", "absent"]
