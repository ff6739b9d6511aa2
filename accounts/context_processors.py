from django.db import connection
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Notification, Organisation

# Which navigation item a page belongs to, by its route: one item is lit at a time. A
# provider listing or managing a test bed is in "Your test beds", not "Find test beds".
PROVIDER_TESTBED_PAGES = {
    "testbeds:mine",
    "testbeds:create",
    "testbeds:edit",
    "testbeds:manage",
    "testbeds:publish",
    "testbeds:pause",
    "testbeds:retire",
    "testbeds:photo_add",
    "testbeds:photo_edit",
    "testbeds:photo_move",
    "testbeds:photo_remove",
    "testbeds:blackout_add",
    "testbeds:blackout_remove",
    "testbeds:calendar_reset",
    "testbeds:question_add",
    "testbeds:question_archive",
}
REVIEWS = "reviews"


def _section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match else ""
    if view in PROVIDER_TESTBED_PAGES:
        return "testbeds:mine"
    if view.startswith("testbeds:") or view == "trials:request":
        return "testbeds:catalogue"
    if view in ("dashboard", "provider_dashboard"):
        return "dashboard"
    if view in ("trials:approval_queue", "trials:change_approve", "trials:change_decline"):
        return "trials:approval_queue"
    if view == "trials:list" and request.GET.get("status") == "submitted":
        return REVIEWS
    if view.startswith("adoption:"):
        return "adoption:register"
    for prefix in ("trials:", "challenges:", "programmes:"):
        if view.startswith(prefix):
            return {"trials:": "trials:list", "challenges:": "challenges:list"}.get(
                prefix, "programmes:list"
            )
    return view


def navigation_for(request: HttpRequest) -> list[dict]:
    """The service navigation, by the role of the current organisation; the section the
    page belongs to is lit (and marked aria-current)."""
    wanted = []
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if signed_in:
        wanted.append((_("Dashboard"), "dashboard", "dashboard"))
    wanted += [
        (_("Find test beds"), "testbeds:catalogue", "testbeds:catalogue"),
        (_("Challenges"), "challenges:list", "challenges:list"),
        (_("Outcomes"), "adoption:register", "adoption:register"),
        (_("Nations and regions"), "regions", "regions"),
    ]
    organisation = getattr(request, "organisation", None)
    if organisation is not None:
        if organisation.kind == Organisation.Kind.PUBLIC_BODY:
            wanted.append((_("Your test beds"), "testbeds:mine", "testbeds:mine"))
            wanted.append((_("Requests"), "trials:approval_queue", "trials:approval_queue"))
        wanted.append((_("Trials"), "trials:list", "trials:list"))
        if organisation.kind == Organisation.Kind.PROGRAMME_TEAM:
            wanted.append((_("Reviews"), "trials:list", REVIEWS))
            wanted.append((_("Programmes"), "programmes:list", "programmes:list"))
    if signed_in and user.is_staff:
        wanted.append((_("Admin"), "admin:index", "admin:index"))
    section = _section(request)
    items = []
    for label, name, key in wanted:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if key == REVIEWS:
            url += "?status=submitted"
        active = key == section or (key == "admin:index" and request.path.startswith(url))
        items.append({"label": label, "url": url, "active": active})
    return items


def unread_counts(user_id: int) -> dict[str, int]:
    """The person's unread notifications: messages (keyed "message:…") and everything else.

    Every signed-in page shows both in its header, so this is one plain SQL statement (on
    the ``user, read_at`` index): building the same ``aggregate()`` through the ORM took
    longer than running it. It is read when the header is drawn, after the view has marked
    anything read. The ORM's spelling is kept in ``tests/accounts`` to check this one.
    """
    table = Notification._meta.db_table
    quote = connection.ops.quote_name
    sql = (
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {quote('key')} LIKE %s THEN 1 ELSE 0 END), 0)"
        f" FROM {quote(table)} WHERE {quote('user_id')} = %s AND {quote('read_at')} IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["message:%", user_id])
        total, messages = cursor.fetchone()
    return {"other": total - messages, "messages": messages}


def organisation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    unread = {"other": 0, "messages": 0}
    if user is not None and user.is_authenticated:
        unread = unread_counts(user.pk)
    return {
        "unread_notifications": unread["other"],
        "unread_messages": unread["messages"],
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "service_navigation": navigation_for(request),
    }
