"""What every signed-in page pays: the header's unread counts and the fixed queries (issue 20)."""

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from accounts.context_processors import unread_counts
from accounts.models import Notification
from tests.factories import MembershipFactory, UserFactory


def notify(user, key="", read=False, subject="Hello"):
    return Notification.objects.create(
        user=user, subject=subject, body="", key=key, read_at=timezone.now() if read else None
    )


@pytest.mark.django_db
def test_unread_counts_match_the_orm_spelling():
    person, other = UserFactory(), UserFactory()
    for n in range(3):
        notify(person, key=f"message:{n}")
    notify(person, key="message:read", read=True)
    notify(person, key="reminder:1")
    notify(person)  # no key
    notify(person, key="reminder:read", read=True)
    notify(other, key="message:9")
    notify(other)

    is_message = Q(key__startswith="message:")
    expected = person.notifications.filter(read_at__isnull=True).aggregate(
        other=Count("id", filter=~is_message), messages=Count("id", filter=is_message)
    )
    assert unread_counts(person.pk) == expected == {"other": 2, "messages": 3}
    assert unread_counts(UserFactory().pk) == {"other": 0, "messages": 0}


@pytest.mark.django_db
def test_header_shows_the_counts_after_the_view(client):
    member = MembershipFactory()
    notify(member.user, key="message:1")
    notify(member.user, key="message:2")
    notify(member.user, key="reminder:1")
    client.force_login(member.user)
    html = client.get("/about/").content.decode()
    assert '2<span class="govuk-visually-hidden"> unread messages</span>' in html
    assert '1<span class="govuk-visually-hidden"> unread</span>' in html


@pytest.mark.django_db
def test_a_signed_in_page_costs_three_queries(client, django_assert_num_queries):
    """The session, the person with their memberships (and organisations), the unread counts."""
    member = MembershipFactory()
    client.force_login(member.user)
    client.get("/about/")
    with django_assert_num_queries(3):
        assert client.get("/about/").status_code == 200
