"""Badge collections through GraphQL and the pages: owner, another member, anonymous; bad input; SQL counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backpack.models import BadgeCollection
from badges.models import Badge, BadgeStatus, SourceKind
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

CREATE = """mutation($input: CreateBadgeCollectionInput!) {
  createBadgeCollection(input: $input) {
    collection { id publicId name public pageUrl badges { name } }
    errors { field code }
  }
}"""
UPDATE = """mutation($input: UpdateBadgeCollectionInput!) {
  updateBadgeCollection(input: $input) { collection { name public badges { name } } errors { field code } }
}"""
DELETE = """mutation($input: DeleteBadgeCollectionInput!) {
  deleteBadgeCollection(input: $input) { deletedCollectionId errors { field code } }
}"""
LIST = """query($u: String!) { badgeCollections(username: $u) { name public badges { name } } }"""


def _badge(owner, name, *, status=BadgeStatus.VERIFIED, public=True):
    return Badge.objects.create(
        owner=owner,
        status=status,
        public=public,
        name=name,
        source_kind=SourceKind.URL,
        source_url=f"https://issuer.example/{name}",
        source_digest=f"{owner.pk}-{name}",
    )


def _gid(badge):
    return encode_id("Badge", badge.pk)


def _setup():
    ana, ben = make_member("ana", display_name="Ana"), make_member("ben")
    shown = _badge(ana, "Shown")
    private = _badge(ana, "Private one", public=False)
    failed = _badge(ana, "Failed one", status=BadgeStatus.FAILED)
    return ana, ben, shown, private, failed


def test_owner_creates_a_shared_collection_others_see_only_verified_public_badges():
    ana, ben, shown, private, failed = _setup()
    payload = data_of(
        gql(
            client_for(ana),
            CREATE,
            {
                "input": {
                    "name": "  Cloud  certs ",
                    "public": True,
                    "badgeIds": [_gid(shown), _gid(private), _gid(failed)],
                }
            },
        )
    )["createBadgeCollection"]
    assert payload["errors"] == []
    assert payload["collection"]["name"] == "Cloud certs"
    assert len(payload["collection"]["badges"]) == 3  # the owner sees every badge in it
    page = payload["collection"]["pageUrl"]
    assert page == f"http://testserver/c/{payload['collection']['publicId']}/"
    for viewer in (client_for(ben), Client()):
        listed = data_of(gql(viewer, LIST, {"u": "ana"}))["badgeCollections"]
        assert listed == [{"name": "Cloud certs", "public": True, "badges": [{"name": "Shown"}]}]
        html = viewer.get(page.replace("http://testserver", "")).content.decode()
        assert "Shown" in html and "Private one" not in html and "Failed one" not in html


def test_private_collection_is_the_owners_alone():
    ana, ben, shown, *_ = _setup()
    payload = data_of(gql(client_for(ana), CREATE, {"input": {"name": "Mine", "badgeIds": [_gid(shown)]}}))
    public_id = payload["createBadgeCollection"]["collection"]["publicId"]
    assert data_of(gql(client_for(ben), LIST, {"u": "ana"}))["badgeCollections"] == []
    assert client_for(ben).get(f"/c/{public_id}/").status_code == 404
    assert Client().get(f"/c/{public_id}/").status_code == 404
    assert client_for(ana).get(f"/c/{public_id}/").status_code == 200


def test_anonymous_cannot_create_and_nothing_is_written():
    _setup()
    body = gql(Client(), CREATE, {"input": {"name": "X"}})
    assert unauthenticated(body)
    assert not BadgeCollection.objects.exists()


def test_another_members_badges_and_collections_are_not_found():
    ana, ben, shown, *_ = _setup()
    bad = data_of(gql(client_for(ben), CREATE, {"input": {"name": "Stolen", "badgeIds": [_gid(shown)]}}))
    assert error_codes(bad["createBadgeCollection"]) == ["NOT_FOUND"]
    assert not BadgeCollection.objects.exists()
    made = data_of(gql(client_for(ana), CREATE, {"input": {"name": "Mine"}}))["createBadgeCollection"]["collection"]
    upd = data_of(gql(client_for(ben), UPDATE, {"input": {"collectionId": made["id"], "public": True}}))
    assert error_codes(upd["updateBadgeCollection"]) == ["NOT_FOUND"]
    gone = data_of(gql(client_for(ben), DELETE, {"input": {"collectionId": made["id"]}}))
    assert error_codes(gone["deleteBadgeCollection"]) == ["NOT_FOUND"]
    assert BadgeCollection.objects.get().public is False


def test_bad_input_is_refused_with_codes():
    ana, ben, shown, *_ = _setup()
    client = client_for(ana)
    assert error_codes(data_of(gql(client, CREATE, {"input": {"name": "  "}}))["createBadgeCollection"]) == ["REQUIRED"]
    assert error_codes(data_of(gql(client, CREATE, {"input": {"name": "x" * 81}}))["createBadgeCollection"]) == [
        "MAX_LENGTH"
    ]
    gql(client, CREATE, {"input": {"name": "Twice"}})
    again = data_of(gql(client, CREATE, {"input": {"name": "Twice"}}))["createBadgeCollection"]
    assert error_codes(again) == ["DUPLICATE_NAME"]
    assert error_codes(
        data_of(gql(client, CREATE, {"input": {"name": "Y", "badgeIds": ["nonsense"]}}))["createBadgeCollection"]
    ) == ["NOT_FOUND"]
    assert BadgeCollection.objects.count() == 1


def test_owner_updates_and_deletes_and_the_badges_stay():
    ana, ben, shown, private, _ = _setup()
    client = client_for(ana)
    made = data_of(gql(client, CREATE, {"input": {"name": "Set", "badgeIds": [_gid(shown)]}}))
    cid = made["createBadgeCollection"]["collection"]["id"]
    upd = data_of(gql(client, UPDATE, {"input": {"collectionId": cid, "name": "Renamed", "badgeIds": [_gid(private)]}}))
    assert upd["updateBadgeCollection"]["collection"] == {
        "name": "Renamed",
        "public": False,
        "badges": [{"name": "Private one"}],
    }
    out = data_of(gql(client, DELETE, {"input": {"collectionId": cid}}))["deleteBadgeCollection"]
    assert out == {"deletedCollectionId": cid, "errors": []}
    assert Badge.objects.filter(owner=ana).count() == 3


def test_collections_page_forms_create_update_delete():
    ana, _ben, shown, *_ = _setup()
    client = client_for(ana)
    assert (
        client.post("/badges/collections/new/", {"name": "Web", "public": "1", "badges": [shown.pk]}).status_code == 302
    )
    collection = BadgeCollection.objects.get()
    assert collection.public and list(collection.badges.all()) == [shown]
    page = client.get("/badges/collections/").content.decode()
    assert "Web" in page and f"/c/{collection.public_id}/" in page and "data-copy" in page
    client.post(f"/badges/collections/{collection.pk}/", {"name": "Web 2"})
    collection.refresh_from_db()
    assert collection.name == "Web 2" and not collection.public and not collection.badges.exists()
    client.post(f"/badges/collections/{collection.pk}/delete/")
    assert not BadgeCollection.objects.exists()


def test_listing_collections_takes_a_fixed_number_of_queries():
    ana, ben, shown, private, failed = _setup()
    client = client_for(ben)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            data_of(gql(client, LIST, {"u": "ana"}))
        return len(ctx.captured_queries)

    gql(client_for(ana), CREATE, {"input": {"name": "A", "public": True, "badgeIds": [_gid(shown)]}})
    one = count()
    for i in range(5):
        gql(
            client_for(ana),
            CREATE,
            {"input": {"name": f"B{i}", "public": True, "badgeIds": [_gid(shown), _gid(failed)]}},
        )
    assert count() == one


def test_profile_page_lists_shared_collections_only_and_private_never_to_others():
    ana, ben, shown, private, failed = _setup()
    from backpack.services import create_collection

    shared = create_collection(ana, name="Cloud work", public=True, badge_ids=[shown.pk, private.pk, failed.pk])
    create_collection(ana, name="Secret stash", public=False, badge_ids=[shown.pk])
    for client in (Client(), client_for(ben), client_for(ana)):
        page = client.get("/m/ana/").content.decode()
        assert "Cloud work" in page and f"/c/{shared.public_id}/" in page
        assert "1 verified badge" in page  # only the verified public one counts for what visitors see
        assert "Secret stash" not in page
    assert "Manage your collections" in client_for(ana).get("/m/ana/").content.decode()
    assert "Manage your collections" not in client_for(ben).get("/m/ana/").content.decode()


def test_members_only_profile_hides_its_collections_from_anonymous_visitors():
    ana, ben, shown, _private, _failed = _setup()
    from backpack.permissions import profile_collections
    from backpack.services import create_collection

    ana.profile.visibility = "MEMBERS"
    ana.profile.save()
    create_collection(ana, name="Cloud work", public=True, badge_ids=[shown.pk])
    assert Client().get("/m/ana/").status_code == 404
    from django.contrib.auth.models import AnonymousUser

    assert profile_collections(AnonymousUser(), ana) == []
    assert [c.name for c in profile_collections(ben, ana)] == ["Cloud work"]


def test_export_includes_collections_with_their_badges():
    ana, ben, shown, private, _failed = _setup()
    from backpack.services import create_collection

    create_collection(ana, name="Secret stash", public=False, badge_ids=[shown.pk, private.pk])
    create_collection(ben, name="Ben's own", public=True)
    data = client_for(ana).get("/settings/export.json").json()
    assert [(c["name"], c["public"], c["badgeIds"]) for c in data["badgeCollections"]] == [
        ("Secret stash", False, sorted([shown.pk, private.pk]))
    ]


def test_profile_collections_take_one_query_however_many_there_are(django_assert_num_queries):
    ana, ben, shown, private, failed = _setup()
    from backpack.permissions import profile_collections
    from backpack.services import create_collection

    for n in range(5):
        create_collection(ana, name=f"Set {n}", public=True, badge_ids=[shown.pk, private.pk, failed.pk])
    with django_assert_num_queries(1):
        listed = profile_collections(ben, ana)
    assert [c.shown_count for c in listed] == [1] * 5
