"""Adoption listens to trials: the acceptance event opens the adoption record.

Trials never import adoption (it sits a floor above); it writes a ``TrialEvent`` for every
step, and this receiver hears the one that moves a trial to *accepted*. It runs inside the
review's transaction, so the record exists exactly when the acceptance does.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from trials.models import TrialEvent, TrialStatus

from .services import adoption_open


@receiver(post_save, sender=TrialEvent, dispatch_uid="adoption.open_on_acceptance")
def open_on_acceptance(sender, instance: TrialEvent, created: bool, raw: bool = False, **kwargs):
    if created and not raw and instance.to_status == TrialStatus.ACCEPTED:
        adoption_open(instance.trial, accepted_at=instance.created_at)
