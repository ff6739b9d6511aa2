"""A person deleting their account: adoption records keep their facts and lose the name."""

from __future__ import annotations

import pytest

from adoption import services
from adoption.models import Adoption, AdoptionDecision, Interest
from tests.adoption.conftest import adopted, publish
from tests.factories import MembershipFactory
from trials.data_rights import DELETED_NAME, account_delete

pytestmark = pytest.mark.django_db


def test_deleting_an_account_removes_the_name_from_decisions_and_interest(world):
    decider = world.provider.user
    name = decider.get_full_name()
    services.adoption_decide(actor=decider, adoption=world.adoption, **adopted())
    publish(world)
    services.interest_register(actor=world.other_body.user, adoption=world.adoption)
    services.contact_email_set(
        actor=world.startup.user, adoption=world.adoption, email=world.startup.user.email
    )
    MembershipFactory(organisation=world.provider.organisation, role="admin")
    MembershipFactory(organisation=world.startup.organisation, role="admin")

    account_delete(actor=decider, user=decider)
    account_delete(actor=world.other_body.user, user=world.other_body.user)
    account_delete(actor=world.startup.user, user=world.startup.user)

    decision = AdoptionDecision.objects.get(adoption=world.adoption)
    assert decision.decided_by_name == DELETED_NAME
    assert decision.status == "adopted"  # the fact stays
    adoption = Adoption.objects.get(pk=world.adoption.pk)
    assert adoption.changed_by_name == DELETED_NAME
    assert adoption.contact_email == ""
    assert Interest.objects.get(adoption=world.adoption).created_by_name == DELETED_NAME
    assert not AdoptionDecision.objects.filter(decided_by_name=name).exists()
