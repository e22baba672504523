"""Member lists show each member's verified workplace and each listing's rank without a query per member:
`members(skill:)`, `members(search:)` and the search page cost the same number of queries for 2 members as
for 12 (profiles.workplaces.attach_workplaces and skills.ranking.attach_ranks, through vouch.querysets.after_fetch)."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.services import endorse
from endorsements.tests.factories import listing
from profiles.services import verify_organisation
from profiles.tests.factories import make_member
from vouch.testing import CountQueries, client_for, data_of, gql

pytestmark = pytest.mark.django_db

LIST = """
query($skill: String, $search: String) {
  members(first: 50, skill: $skill, search: $search) {
    totalCount
    edges { node { username verifiedWorkplace skills { skill { name } rank rankTotal rankText } } }
  }
}
"""


def _network(n: int, start: int) -> None:
    """`n` more members listing Python and Go, every other one at the verified organisation, each endorsed once."""
    for i in range(start, start + n):
        domain = "northwind.example" if i % 2 == 0 else "elsewhere.example"
        member = make_member(f"dev{i}", email=f"dev{i}@{domain}", display_name=f"Pythonista {i}")
        listing(member, "Python")
        listing(member, "Go")
        if i > 0:
            endorse(
                member, member=member.__class__.objects.get(username=f"dev{i - 1}"), skill="Python", relationship="PEER"
            )


def _count(client: Client, variables: dict) -> tuple[int, dict]:
    with CountQueries() as q:
        data = data_of(gql(client, LIST, variables))["members"]
    return q.count, data


@pytest.mark.parametrize("variables", [{"skill": "Python"}, {"search": "Pythonista"}])
def test_workplace_and_rank_in_member_lists_cost_the_same_for_any_number_of_members(variables):
    verify_organisation(None, domain="northwind.example", name="Northwind Labs")
    viewer = client_for(make_member("viewer"))
    _network(2, 0)
    few, small = _count(viewer, variables)
    _network(10, 2)
    many, large = _count(viewer, variables)
    assert small["totalCount"] == 2 and large["totalCount"] == 12
    assert many == few, (few, many)
    # And the figures are right: every other member works at Northwind; ranks are 1..12 among 12 listings.
    nodes = {e["node"]["username"]: e["node"] for e in large["edges"]}
    assert nodes["dev4"]["verifiedWorkplace"] == "Northwind Labs" and nodes["dev5"]["verifiedWorkplace"] is None
    python_ranks = sorted(s["rank"] for n in nodes.values() for s in n["skills"] if s["skill"]["name"] == "Python")
    assert python_ranks == list(range(1, 13))
    assert all(s["rankTotal"] == 12 for n in nodes.values() for s in n["skills"])
    first = next(
        n for n in nodes.values() if any(s["rank"] == 1 and s["skill"]["name"] == "Python" for s in n["skills"])
    )
    assert "1st of 12 with Python" in [s["rankText"] for s in first["skills"]]


def test_search_page_shows_workplaces_at_a_fixed_query_count():
    verify_organisation(None, domain="northwind.example", name="Northwind Labs")
    client = client_for(make_member("viewer"))

    def page() -> tuple[int, str]:
        with CountQueries() as q:
            response = client.get("/", {"skill": "Python"})
        assert response.status_code == 200
        return q.count, response.content.decode()

    _network(2, 0)
    few, _ = page()
    _network(10, 2)
    many, html = page()
    assert many == few, (few, many)
    assert html.count("Works at Northwind Labs") == 6
    assert "northwind.example" not in html  # the address itself is never shown
