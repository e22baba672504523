"""The `notifications` connection: own notifications only, newest first, unreadOnly, paging, fixed SQL count."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from notifications.tests.factories import make_notification
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import CountQueries, client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

NOTIFICATIONS = """
query List($unreadOnly: Boolean, $first: Int, $after: String) {
  notifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id kind payload createdAt readAt } }
  }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { ... on Notification { id kind } } }"


def listed(user, **variables):
    return data_of(gql(client_for(user), NOTIFICATIONS, variables))["notifications"]


def test_a_member_lists_their_own_notifications_newest_first_with_payloads():
    ana, bob = make_member("ana"), make_member("bob")
    first = make_notification(ana, n=1)
    second = make_notification(ana, "badge.verified", badge={"name": "K8s"})
    make_notification(bob)
    result = listed(ana)
    assert result["totalCount"] == 2
    nodes = [edge["node"] for edge in result["edges"]]
    assert [n["id"] for n in nodes] == [encode_id("Notification", second.pk), encode_id("Notification", first.pk)]
    assert nodes[0]["kind"] == "badge.verified"
    assert nodes[0]["payload"] == {"badge": {"name": "K8s"}}  # a JSON object, not a string holding JSON
    assert nodes[0]["readAt"] is None and nodes[0]["createdAt"]


def test_unread_only_leaves_out_read_notifications():
    ana = make_member("ana")
    read = make_notification(ana)
    unread = make_notification(ana)
    type(read).objects.filter(pk=read.pk).update(read_at=timezone.now())
    result = listed(ana, unreadOnly=True)
    assert [e["node"]["id"] for e in result["edges"]] == [encode_id("Notification", unread.pk)]
    assert listed(ana)["totalCount"] == 2


def test_pages_follow_the_cursor():
    ana = make_member("ana")
    stored = [make_notification(ana, n=i) for i in range(3)]
    page = listed(ana, first=2)
    assert page["pageInfo"]["hasNextPage"] is True
    rest = listed(ana, first=2, after=page["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in rest["edges"]] == [encode_id("Notification", stored[0].pk)]


def test_anonymous_is_unauthenticated():
    assert unauthenticated(gql(Client(), NOTIFICATIONS))


def test_node_lookup_of_another_members_notification_is_null():
    ana, bob = make_member("ana"), make_member("bob")
    bobs = make_notification(bob)
    gid = encode_id("Notification", bobs.pk)
    assert data_of(gql(client_for(ana), NODE, {"id": gid}))["node"] is None
    assert data_of(gql(client_for(bob), NODE, {"id": gid}))["node"]["id"] == gid
    assert data_of(gql(Client(), NODE, {"id": gid}))["node"] is None


def test_the_list_costs_a_fixed_number_of_queries_whatever_the_data():
    ana = make_member("ana")
    client = client_for(ana)
    make_notification(ana)
    with CountQueries() as few:
        data_of(gql(client, NOTIFICATIONS, {"first": 30}))
    for i in range(20):
        make_notification(ana, n=i)
    with CountQueries() as many:
        result = data_of(gql(client, NOTIFICATIONS, {"first": 30}))
    assert len(result["notifications"]["edges"]) == 21
    assert many.count == few.count
    # session + user lookups, then COUNT and SELECT of the page.
    assert few.count <= 4, [q["sql"] for q in few.captured_queries]


def test_the_subscription_sent_over_http_says_where_to_subscribe():
    body = gql(Client(), "subscription { notificationReceived { id } }")
    assert body["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
