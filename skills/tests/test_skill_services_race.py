"""Creating a new skill while another request creates the same skill, or takes the slug we picked.

The races are reproduced by letting the other request's row appear between our check and our
insert; the database's own unique constraints then refuse our insert, as they would in production.
"""

from __future__ import annotations

import pytest

from skills import services
from skills.models import Skill

pytestmark = pytest.mark.django_db


def test_a_slug_taken_between_the_check_and_the_insert_gets_the_next_free_one(monkeypatch):
    rival = Skill.objects.create(name="Rival", key="rival", slug="quantum-basket-weaving")
    real_free_slug = services._free_slug
    picked = []

    def stale_free_slug(base):
        # The first pick was checked free just before the rival took it.
        picked.append(rival.slug if not picked else real_free_slug(base))
        return picked[-1]

    monkeypatch.setattr(services, "_free_slug", stale_free_slug)
    skill = services.get_or_create_skill("Quantum Basket Weaving")
    assert picked == ["quantum-basket-weaving", "quantum-basket-weaving-2"]
    assert (skill.name, skill.slug) == ("Quantum Basket Weaving", "quantum-basket-weaving-2")


def test_the_same_new_skill_created_concurrently_is_returned_not_duplicated(monkeypatch):
    theirs = Skill.objects.create(name="Underwater Rugby", key="underwater rugby", slug="underwater-rugby-x")
    # Our lookup ran just before their insert committed: it found nothing.
    monkeypatch.setattr(services, "find_skill", lambda name: None)
    skill = services.get_or_create_skill("underwater  RUGBY")
    assert skill.pk == theirs.pk
    assert Skill.objects.filter(key="underwater rugby").count() == 1
