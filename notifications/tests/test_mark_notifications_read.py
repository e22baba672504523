"""markNotificationsRead as owner, as another member, anonymously and with bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications.models import Notification
from notifications.tests.factories import make_notification
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

MARK = """
mutation Mark($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { unreadCount errors { field message code } }
}
"""


def mark(user, **input):
    client = client_for(user) if user else Client()
    return gql(client, MARK, {"input": input})


def unread(user) -> set[int]:
    return set(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("pk", flat=True))


def test_owner_marks_some_by_id():
    ana = make_member("ana")
    a, b, c = (make_notification(ana) for _ in range(3))
    result = data_of(mark(ana, ids=[encode_id("Notification", a.pk), encode_id("Notification", b.pk)]))
    assert result["markNotificationsRead"] == {"unreadCount": 1, "errors": []}
    assert unread(ana) == {c.pk}


def test_owner_marks_all_and_only_their_own():
    ana, bob = make_member("ana"), make_member("bob")
    make_notification(ana)
    make_notification(ana)
    bobs = make_notification(bob)
    assert data_of(mark(ana, all=True))["markNotificationsRead"] == {"unreadCount": 0, "errors": []}
    assert unread(ana) == set()
    assert unread(bob) == {bobs.pk}


def test_marking_again_keeps_the_first_read_time():
    ana = make_member("ana")
    n = make_notification(ana)
    mark(ana, all=True)
    first = Notification.objects.get(pk=n.pk).read_at
    mark(ana, ids=[encode_id("Notification", n.pk)])
    assert Notification.objects.get(pk=n.pk).read_at == first


def test_another_members_notification_is_not_found_and_nothing_is_marked():
    ana, bob = make_member("ana"), make_member("bob")
    mine = make_notification(ana)
    bobs = make_notification(bob)
    payload = data_of(mark(ana, ids=[encode_id("Notification", mine.pk), encode_id("Notification", bobs.pk)]))[
        "markNotificationsRead"
    ]
    assert error_codes(payload) == ["NOT_FOUND"]
    assert payload["errors"][0]["field"] == "ids"
    assert payload["unreadCount"] is None
    assert unread(ana) == {mine.pk}
    assert unread(bob) == {bobs.pk}


def test_anonymous_is_unauthenticated_and_nothing_is_marked():
    ana = make_member("ana")
    n = make_notification(ana)
    assert unauthenticated(mark(None, ids=[encode_id("Notification", n.pk)]))
    assert unauthenticated(mark(None, all=True))
    assert unread(ana) == {n.pk}


@pytest.mark.parametrize(
    "input_, code",
    [
        ({}, "IDS_OR_ALL_REQUIRED"),
        ({"ids": []}, "IDS_OR_ALL_REQUIRED"),
        ({"all": False}, "IDS_OR_ALL_REQUIRED"),
        ({"all": True, "ids": ["x"]}, "NOT_FOUND"),
        ({"ids": ["not-an-id"]}, "NOT_FOUND"),
        ({"ids": [encode_id("Member", 1)]}, "NOT_FOUND"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_marked(input_, code):
    ana = make_member("ana")
    n = make_notification(ana)
    payload = data_of(mark(ana, **input_))["markNotificationsRead"]
    assert error_codes(payload) == [code]
    assert unread(ana) == {n.pk}


def test_both_ids_and_all_is_refused():
    ana = make_member("ana")
    n = make_notification(ana)
    payload = data_of(mark(ana, all=True, ids=[encode_id("Notification", n.pk)]))["markNotificationsRead"]
    assert error_codes(payload) == ["IDS_OR_ALL_REQUIRED"]
    assert unread(ana) == {n.pk}


def test_too_many_ids_is_refused():
    ana = make_member("ana")
    n = make_notification(ana)
    ids = [encode_id("Notification", i) for i in range(1, 102)]
    payload = data_of(mark(ana, ids=ids))["markNotificationsRead"]
    assert error_codes(payload) == ["TOO_MANY_IDS"]
    assert unread(ana) == {n.pk}


def test_the_new_count_is_pushed_to_the_members_group_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    from notifications import services

    sent = []
    monkeypatch.setattr(services, "_group_send", lambda group, message: sent.append((group, message)))
    ana = make_member("ana")
    make_notification(ana)
    make_notification(ana)
    with django_capture_on_commit_callbacks(execute=True):
        mark(ana, all=True)
    assert sent == [(f"user.{ana.pk}", {"type": "unread.push", "count": 0})]
