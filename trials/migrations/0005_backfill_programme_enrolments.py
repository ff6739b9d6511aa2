"""Start-ups whose trials already name a programme take part in it (issue 21, item 5):
from now on a trial may only name a programme its start-up is enrolled in."""

from django.db import migrations


def backfill(apps, schema_editor):
    Trial = apps.get_model("trials", "Trial")
    ProgrammeEnrolment = apps.get_model("accounts", "ProgrammeEnrolment")
    pairs = set(
        Trial.objects.exclude(programme=None).values_list("programme_id", "organisation_id")
    )
    ProgrammeEnrolment.objects.bulk_create(
        [
            ProgrammeEnrolment(programme_id=programme_id, organisation_id=organisation_id)
            for programme_id, organisation_id in sorted(pairs)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_programme_enrolment"),
        ("trials", "0004_corrections"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
