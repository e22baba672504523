from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Notification
from notifications.tests.factories import make_notification
from profiles.tests.factories import make_member
from vouch.testing import CountQueries, client_for, data_of, gql

pytestmark = pytest.mark.django_db

COUNT = "query { unreadNotificationCount }"


def test_counts_only_the_members_own_unread_notifications():
    ana, bob = make_member("ana"), make_member("bob")
    read = make_notification(ana)
    make_notification(ana)
    make_notification(ana)
    make_notification(bob)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    assert data_of(gql(client_for(ana), COUNT)) == {"unreadNotificationCount": 2}


def test_anonymous_gets_zero_not_an_error():
    assert data_of(gql(Client(), COUNT)) == {"unreadNotificationCount": 0}


def test_the_count_is_one_query_whatever_the_data():
    ana = make_member("ana")
    client = client_for(ana)
    with CountQueries() as few:
        gql(client, COUNT)
    for _ in range(5):
        make_notification(ana)
    with CountQueries() as many:
        assert data_of(gql(client, COUNT)) == {"unreadNotificationCount": 5}
    assert few.count == many.count
