"""`seed_trust`: verified organisations by e-mail domain, named members, and the trust that follows."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from endorsements.services import endorse
from endorsements.tests.factories import listing
from profiles.models import Organisation, Profile
from profiles.tests.factories import make_member
from profiles.workplaces import normalise_domain, verified_workplace, verified_workplaces

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("seed_trust", *args, stdout=out)
    return out.getvalue()


def test_domain_makes_members_with_a_verified_address_there_work_at_a_verified_organisation():
    maria = make_member("maria", email="maria@northwind.example")
    sub = make_member("sub", email="sub@eng.northwind.example")
    unverified = make_member("unver", email="unver@northwind.example", verified=False)
    other = make_member("other", email="other@elsewhere.example")
    text = run("--domain", "Northwind.Example", "--name", "Northwind Labs")
    assert "Verified organisation Northwind Labs (northwind.example)" in text
    org = Organisation.objects.get()
    assert org.verified and org.verified_at is not None
    found = verified_workplaces()
    assert found[maria.pk] == org and found[sub.pk] == org
    assert unverified.pk not in found and other.pk not in found
    # Seeds have full trust once recomputed (the command does it).
    assert Profile.objects.get(user=maria).trust == 1.0
    assert Profile.objects.get(user=unverified).trust == 0.0


def test_verifying_the_address_later_gives_the_workplace():
    ana = make_member("ana", email="ana@northwind.example", verified=False)
    run("--domain", "northwind.example", "--name", "Northwind Labs")
    assert verified_workplace(ana) is None
    EmailAddress.objects.filter(user=ana).update(verified=True)
    assert verified_workplace(ana).name == "Northwind Labs"


def test_running_it_again_is_idempotent_and_can_rename():
    run("--domain", "northwind.example", "--name", "Northwind")
    run("--domain", "northwind.example", "--name", "Northwind Labs")
    run("--domain", "northwind.example")
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Northwind Labs"]


def test_member_option_makes_one_member_a_starting_point_and_trust_flows_from_them():
    expert = make_member("expert", email="expert@gmail.example")
    ana = make_member("ana", email="ana@gmail.example")
    listing(ana, "Python")
    endorse(expert, member=ana, skill="Python", relationship="PEER")
    text = run("--member", "expert")
    assert "expert is a starting point of trust" in text
    assert Profile.objects.get(user=expert).trust == 1.0
    assert Profile.objects.get(user=ana).trust > 0
    run("--member", "expert", "--remove")
    assert Profile.objects.get(user=expert).trust == 0.0
    assert Profile.objects.get(user=ana).trust == 0.0


def test_bad_input_is_refused():
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run("--domain", "not a domain")
    with pytest.raises(CommandError):
        run("--member", "nobody")
    assert not Organisation.objects.exists()


def test_domain_normalisation():
    assert normalise_domain("@Northwind.Example.") == "northwind.example"
    assert normalise_domain("bücher.example") == "xn--bcher-kva.example"
    assert normalise_domain("localhost") == "" and normalise_domain("a b.example") == ""
