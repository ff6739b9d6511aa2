"""Trials accepted before adoption existed get their record (undecided) and due reports."""

import calendar
import datetime

from django.db import migrations
from django.utils import timezone


def add_months(day, months):
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def open_records(apps, schema_editor):
    Trial = apps.get_model("trials", "Trial")
    Adoption = apps.get_model("adoption", "Adoption")
    ImpactReport = apps.get_model("adoption", "ImpactReport")
    accepted = Trial.objects.filter(status="accepted", adoption__isnull=True)
    for trial in accepted.only("pk", "accepted_at", "status_changed_at").iterator():
        moment = trial.accepted_at or trial.status_changed_at
        day = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
        adoption = Adoption.objects.create(trial_id=trial.pk, accepted_on=day)
        ImpactReport.objects.bulk_create(
            ImpactReport(adoption=adoption, months=m, due_on=add_months(day, m)) for m in (6, 12, 24)
        )


class Migration(migrations.Migration):
    dependencies = [("adoption", "0001_initial"), ("trials", "0003_evidencefile_organisation_alter_logentry_kind_and_more")]
    operations = [migrations.RunPython(open_records, migrations.RunPython.noop)]
