"""Media on an S3-compatible bucket (moto's server over HTTP on 127.0.0.1, a separate
process): the image pipeline, private downloads, the media view, the evidence-pack renderer,
the organisation export and backup/restore all go through the storage API, and no object in
the bucket is ever public."""

import io
import json
import tarfile
import urllib.error
import urllib.request
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from core.management.commands.restore import Command as Restore
from core.storage import PrivateS3Storage
from testbeds import services as testbed_services
from testbeds.models import TestBed
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory, minimal_pdf
from tests.media.conftest import keys
from trials import services
from trials.models import EvidencePack

pytestmark = pytest.mark.django_db


def jpeg(size=(800, 600), colour=(10, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def s3_object(s3_media, key: str) -> bytes:
    return s3_media["client"].get_object(Bucket=s3_media["bucket"], Key=key)["Body"].read()


def assert_private(s3_media) -> None:
    """Every object: no public grant, and an unsigned GET on the S3 API is refused."""
    for key in keys(s3_media):
        grants = s3_media["client"].get_object_acl(Bucket=s3_media["bucket"], Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")], key
        assert not [g for g in grants if "AuthenticatedUsers" in g["Grantee"].get("URI", "")]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{s3_media['endpoint']}/{s3_media['bucket']}/{key}")
        assert refused.value.code == 403, key


def test_storage_is_the_private_s3_storage(s3_media):
    name = default_storage.save("private/probe.txt", io.BytesIO(b"hello"))
    assert isinstance(default_storage._wrapped, PrivateS3Storage)
    assert keys(s3_media) == [name]
    assert default_storage.url(name) == f"/media/{name}"  # our address, never the bucket's
    assert_private(s3_media)


def test_test_bed_photos_go_to_the_bucket_and_are_served_by_us(s3_media, client):
    testbed = TestBedFactory(status=TestBed.Status.PUBLISHED)
    provider = MembershipFactory(organisation=testbed.organisation, admin=True)
    photo = testbed_services.photo_add(
        actor=provider.user,
        testbed=testbed,
        upload=SimpleUploadedFile("p.jpg", jpeg()),
        alt_text="The yard",
    )
    stored = keys(s3_media)
    assert len(stored) == 4 and all(key.startswith(f"testbeds/{testbed.pk}/") for key in stored)
    assert photo.thumbnail.url == f"/media/{photo.thumbnail.name}"
    assert_private(s3_media)

    response = client.get(photo.display.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == s3_object(s3_media, photo.display.name)
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Type"] == "image/jpeg"

    # A test bed that is not published: its photos only for its provider, never cached.
    TestBed.objects.filter(pk=testbed.pk).update(status=TestBed.Status.DRAFT)
    assert client.get(photo.display.url).status_code == 404
    client.force_login(MembershipFactory(organisation=OrganisationFactory(start_up=True)).user)
    assert client.get(photo.display.url).status_code == 404
    client.force_login(provider.user)
    response = client.get(photo.display.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    # Nothing but test bed photos is served at /media/.
    assert client.get("/media/private/trials/1/x.jpg").status_code == 404


def test_evidence_is_stored_privately_and_downloaded_only_by_those_allowed(
    s3_media, client, active_trial, startup
):
    client.force_login(startup.user)
    response = client.post(
        reverse("trials:file_add", args=[active_trial.pk]),
        {"file": SimpleUploadedFile("report.pdf", minimal_pdf()), "caption": "Survey"},
    )
    assert response.status_code == 302
    evidence = active_trial.files.get()
    assert evidence.file.name in keys(s3_media)
    assert_private(s3_media)
    response = client.get(reverse("trials:file", args=[active_trial.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == minimal_pdf()
    assert response["Cache-Control"] == "private, no-store"
    # The media view never hands out evidence, whoever asks.
    assert client.get(f"/media/{evidence.file.name}").status_code == 404
    client.force_login(MembershipFactory(organisation=OrganisationFactory(start_up=True)).user)
    assert (
        client.get(reverse("trials:file", args=[active_trial.pk, evidence.pk])).status_code == 404
    )


def test_organisation_export_reads_files_from_the_bucket(s3_media, client, active_trial, startup):
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
    [name] = [n for n in archive.namelist() if n.endswith("-r.pdf")]
    assert archive.read(name) == minimal_pdf()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_evidence_pack_renders_photos_read_from_the_bucket(
    s3_media,
    completed_pack_trial,
    django_capture_on_commit_callbacks,
):
    trial, startup = completed_pack_trial
    with django_capture_on_commit_callbacks(execute=True):
        services.trial_submit(actor=startup.user, trial=trial)
    pack = EvidencePack.objects.get(trial=trial)
    assert pack.state == EvidencePack.State.READY, pack.error
    assert pack.file.name in keys(s3_media)
    # The frozen content names the photo in storage, not a path on some machine's disk.
    [photo] = pack.content["photos"]
    assert photo["path"] == "" and photo["name"] in keys(s3_media)
    reader = PdfReader(io.BytesIO(s3_object(s3_media, pack.file.name)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Photo not available" not in text
    assert sum(len(page.images) for page in reader.pages) >= 1
    assert_private(s3_media)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_and_restore_go_through_the_bucket(s3_media, tmp_path, capsys):
    default_storage.save("private/trials/1/a.pdf", io.BytesIO(b"first"))
    default_storage.save("testbeds/1/b.jpg", io.BytesIO(b"second"))
    call_command("backup", "--to", str(tmp_path))
    folder = tmp_path / capsys.readouterr().out.strip().splitlines()[-1].split("/")[-1]
    manifest = json.loads((folder / "manifest.json").read_text())
    with tarfile.open(folder / manifest["media"]) as archive:
        assert sorted(m.name for m in archive.getmembers() if m.isfile()) == [
            "media/private/trials/1/a.pdf",
            "media/testbeds/1/b.jpg",
        ]
    # Things change after the backup; restoring puts the bucket back exactly as it was.
    default_storage.delete("private/trials/1/a.pdf")
    default_storage.save("testbeds/1/b.jpg", io.BytesIO(b"renamed copy"))
    default_storage.save("private/later.txt", io.BytesIO(b"made after the backup"))
    Restore()._media(folder / manifest["media"])
    assert keys(s3_media) == ["private/trials/1/a.pdf", "testbeds/1/b.jpg"]
    assert s3_object(s3_media, "private/trials/1/a.pdf") == b"first"
    assert s3_object(s3_media, "testbeds/1/b.jpg") == b"second"
    assert_private(s3_media)
