"""Notifications /notifications/: list with readable lines and links, mark one or all read; the bell's count."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.services import endorse
from frontend.tests.helpers import assert_csp_clean, html
from notifications.models import Notification
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.testing import client_for

pytestmark = pytest.mark.django_db


def _ana_with_two_notifications():
    ana = make_member("ana")
    add_skill(ana, name="Go")
    add_skill(ana, name="Rust")
    maria = make_member("maria", display_name="Maria Okafor")
    endorse(maria, member=ana, skill="Go", relationship="PEER")
    endorse(maria, member=ana, skill="Rust", relationship="PEER")
    return ana


def test_notifications_page_needs_a_signed_in_member():
    assert Client().get("/notifications/")["Location"].startswith("/accounts/login/")


def test_list_reads_as_sentences_with_links_and_the_bell_shows_the_unread_count():
    ana = _ana_with_two_notifications()
    response = client_for(ana).get("/notifications/")
    body = html(response)
    assert "Maria Okafor endorsed you for Go." in body and "Maria Okafor endorsed you for Rust." in body
    assert 'href="/m/ana/"' in body
    assert 'data-unread-count data-count="2">2<' in body
    assert_csp_clean(response)


def test_mark_one_then_all_read():
    ana = _ana_with_two_notifications()
    client = client_for(ana)
    first = Notification.objects.filter(recipient=ana).order_by("id").first()
    client.post("/notifications/read/", {"id": str(first.pk)})
    assert Notification.objects.filter(recipient=ana, read_at__isnull=True).count() == 1
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=ana, read_at__isnull=True).exists()
    assert 'data-count="0"' in html(client.get("/notifications/"))


def test_another_member_cannot_mark_my_notifications_read_or_see_them():
    ana = _ana_with_two_notifications()
    eve = make_member("eve")
    mine = Notification.objects.filter(recipient=ana).first()
    assert client_for(eve).post("/notifications/read/", {"id": str(mine.pk)}).status_code == 404
    assert not Notification.objects.filter(recipient=ana, read_at__isnull=False).exists()
    assert "Maria Okafor" not in html(client_for(eve).get("/notifications/"))


def test_unread_filter():
    ana = _ana_with_two_notifications()
    client = client_for(ana)
    client.post("/notifications/read/")
    assert "all caught up" in html(client.get("/notifications/?filter=unread"))
