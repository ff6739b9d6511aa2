import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, MembershipFactory, minimal_pdf
from tests.trials.conftest import TODAY
from trials import data_rights, services
from trials.models import EvidencePack, LogEntry, TrialEvent

pytestmark = pytest.mark.django_db


def test_organisation_export_has_json_and_files(client, active_trial, startup):
    services.log_entry_add(actor=startup.user, trial=active_trial, text="Fitted")
    services.evidence_file_add(
        actor=startup.user,
        trial=active_trial,
        upload=SimpleUploadedFile("r.pdf", minimal_pdf()),
        caption="Report",
    )
    client.force_login(startup.user)
    response = client.post(reverse("organisation_export", args=[startup.organisation.slug]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert data["trials"][0]["title"] == active_trial.title
    assert data["trials"][0]["log"][0]["text"] == "Fitted"
    names = archive.namelist()
    assert any(name.endswith("-r.pdf") for name in names)


def test_only_admins_export(client, startup, active_trial):
    member = MembershipFactory(organisation=startup.organisation)
    client.force_login(member.user)
    assert (
        client.post(reverse("organisation_export", args=[startup.organisation.slug])).status_code
        == 403
    )


def test_deleting_an_account_anonymises_names_and_keeps_records(
    client, active_trial, startup, provider
):
    colleague = MembershipFactory(organisation=startup.organisation, role="admin")
    services.log_entry_add(actor=startup.user, trial=active_trial, text="Mine")
    events = TrialEvent.objects.filter(trial=active_trial).count()
    client.post(reverse("account_login"), {"login": startup.user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("account_delete"), {"confirm": "delete"})
    assert response.status_code == 302
    user = User.objects.get(pk=startup.user.pk)
    assert user.full_name == data_rights.DELETED_NAME
    assert user.email.endswith("@deleted.invalid")
    assert not user.is_active
    assert not user.has_usable_password()
    assert TrialEvent.objects.filter(trial=active_trial).count() == events
    assert set(TrialEvent.objects.filter(actor=user).values_list("actor_name", flat=True)) == {
        data_rights.DELETED_NAME
    }
    assert LogEntry.objects.get(text="Mine").author_name == data_rights.DELETED_NAME
    assert colleague.organisation.trials.filter(pk=active_trial.pk).exists()
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out


def test_the_last_admin_must_hand_over_first(active_trial, startup):
    MembershipFactory(organisation=startup.organisation)  # a member, not an admin
    with pytest.raises(ValidationError):
        data_rights.account_delete(actor=startup.user, user=startup.user)
    assert User.objects.get(pk=startup.user.pk).is_active


def test_issued_packs_are_untouched_by_account_deletion(active_trial, startup, officer):
    kpi = services.kpi_add(actor=startup.user, trial=active_trial, name="K", baseline=0, target=1)
    services.measurement_add(actor=startup.user, kpi=kpi, value=1, date=TODAY)
    pack = EvidencePack.objects.create(
        trial=active_trial, version=1, content={}, sha256="a" * 64, state="ready"
    )
    MembershipFactory(organisation=startup.organisation, role="admin")
    data_rights.account_delete(actor=startup.user, user=startup.user)
    pack.refresh_from_db()
    assert pack.sha256 == "a" * 64
