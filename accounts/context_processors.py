from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Organisation


def navigation_for(request: HttpRequest) -> list[dict]:
    """The service navigation, by the role of the current organisation."""
    wanted = [
        (_("Find test beds"), "testbeds:catalogue"),
        (_("Challenges"), "challenges:list"),
        (_("Outcomes"), "adoption:register"),
        (_("Nations and regions"), "regions"),
    ]
    organisation = getattr(request, "organisation", None)
    if organisation is not None:
        if organisation.kind == Organisation.Kind.PUBLIC_BODY:
            wanted.append((_("Dashboard"), "provider_dashboard"))
            wanted.append((_("Your test beds"), "testbeds:mine"))
        wanted.append((_("Trials"), "trials:list"))
        if organisation.kind == Organisation.Kind.PROGRAMME_TEAM:
            wanted.append((_("Programmes"), "programmes:list"))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        wanted.append((_("Admin"), "admin:index"))
    items = []
    for label, name in wanted:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return items


def organisation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    unread = {"other": 0, "messages": 0}
    if user is not None and user.is_authenticated:
        # One query for both counts: messages (keyed "message:…") and everything else.
        is_message = Q(key__startswith="message:")
        unread = user.notifications.filter(read_at__isnull=True).aggregate(
            other=Count("id", filter=~is_message), messages=Count("id", filter=is_message)
        )
    return {
        "unread_notifications": unread["other"],
        "unread_messages": unread["messages"],
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "service_navigation": navigation_for(request),
    }
