"""The adoption panel on a trial's page (trials' template includes it; trials never imports
adoption). Shown only to those who may see unpublished adoption data."""

from django import template
from django.utils import timezone

from ..models import Adoption
from ..services import can_see_private

register = template.Library()


@register.inclusion_tag("adoption/includes/panel.html", takes_context=True)
def adoption_panel(context, trial) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    try:
        adoption = trial.adoption
    except Adoption.DoesNotExist:
        return {"adoption": None}
    if not can_see_private(user, trial):
        return {"adoption": None}
    overdue = adoption.reports.filter(
        submitted_at__isnull=True, due_on__lt=timezone.localdate()
    ).count()
    return {"adoption": adoption, "overdue": overdue, "request": request}
