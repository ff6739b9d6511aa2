import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEvent
from testbeds import services
from testbeds.models import TestBed, TestBedPhoto
from tests.factories import MembershipFactory, TestBedFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Harbour 5G testbed",
    "summary": "A working harbour with private 5G.",
    "description": "Cranes, quays and a private 5G network.",
    "facilities": "Private 5G\nQuayside power",
    "region": "north-east",
    "town": "Blyth",
    "sectors": ["transport", "energy"],
    "technologies": ["5g-connectivity"],
    "trl_min": "6",
    "trl_max": "9",
    "capacity": "2",
    "cost_model": "free",
    "min_days": "7",
    "max_days": "60",
    "notice_days": "14",
    "horizon_days": "365",
    "requires_approval": "on",
    "contact_email": "port@example.org",
}


def jpeg_with_gps(size=(640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (54.0, 54.0, 12.5)
    gps[3] = "W"
    gps[4] = (1.0, 23.0, 1.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def provider_client(client, provider):
    client.force_login(provider.user)
    return client


def test_provider_creates_publishes_and_the_catalogue_lists_it(provider_client, provider):
    response = provider_client.post(reverse("testbeds:create"), VALID)
    assert response.status_code == 302, response.content.decode()[:3000]
    testbed = TestBed.objects.get(name="Harbour 5G testbed")
    assert testbed.status == "draft"
    assert testbed.organisation == provider.organisation
    assert testbed.facilities == ["Private 5G", "Quayside power"]
    assert client_catalogue_names(provider_client, region="north-east") == []

    for alt in ["Quay with cranes", "Control room"]:
        provider_client.post(
            reverse("testbeds:photo_add", args=[testbed.slug]),
            {"image": upload(jpeg_with_gps()), "alt_text": alt},
        )
    assert testbed.photos.count() == 2
    provider_client.post(reverse("testbeds:publish", args=[testbed.slug]))
    testbed.refresh_from_db()
    assert testbed.status == "published"
    provider_client.logout()
    assert client_catalogue_names(provider_client, region="north-east", sector="energy") == [
        "Harbour 5G testbed"
    ]
    assert client_catalogue_names(provider_client, q="cranes") == ["Harbour 5G testbed"]
    actions = set(
        AuditEvent.objects.filter(object_id=str(testbed.pk)).values_list("action", flat=True)
    )
    assert {"testbed.created", "testbed.photo_added", "testbed.published"} <= actions


def client_catalogue_names(client, **params):
    return [t.name for t in client.get(reverse("testbeds:catalogue"), params).context["page"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"trl_min": "8", "trl_max": "6"}, "trl_max"),
        ({"capacity": "0"}, "capacity"),
        ({"min_days": "30", "max_days": "10"}, "max_days"),
        ({"cost_model": "per-day", "cost_amount": ""}, "cost_amount"),
        ({"sectors": []}, "sectors"),
        ({"name": ""}, "name"),
    ],
)
def test_inconsistent_listing_re_renders_with_errors_and_changes_nothing(
    provider_client, change, field
):
    response = provider_client.post(reverse("testbeds:create"), {**VALID, **change})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert f'id="id_{field}-error"' in html or f'href="#id_{field}' in html
    assert not TestBed.objects.exists()


def test_service_refuses_inconsistent_rules_too(provider):
    from django.core.exceptions import ValidationError

    data = {key: value for key, value in VALID.items() if key != "requires_approval"}
    data.update(
        trl_min=9, trl_max=3, capacity=2, min_days=7, max_days=60, notice_days=1, horizon_days=30
    )
    data["facilities"] = []
    with pytest.raises(ValidationError) as error:
        services.testbed_create(actor=provider.user, organisation=provider.organisation, **data)
    assert "trl_max" in error.value.error_dict
    assert not TestBed.objects.exists()


def test_another_organisations_member_gets_404_on_every_provider_page(client, provider):
    testbed = TestBedFactory(organisation=provider.organisation)
    photo_owner = MembershipFactory(organisation=provider.organisation)
    other = MembershipFactory(organisation__kind="public_body")
    client.force_login(other.user)
    for name in ["testbeds:edit", "testbeds:manage", "testbeds:photo_add"]:
        assert client.get(reverse(name, args=[testbed.slug])).status_code == 404, name
    for name in ["testbeds:publish", "testbeds:pause", "testbeds:retire"]:
        assert client.post(reverse(name, args=[testbed.slug]), {"reason": "x"}).status_code == 404
    assert (
        client.patch(
            f"/api/v1/testbeds/{testbed.slug}/", {"capacity": 9}, content_type="application/json"
        ).status_code
        == 404
    )
    testbed.refresh_from_db()
    assert testbed.capacity == 1
    assert photo_owner  # a member of the owner can, see below
    client.force_login(photo_owner.user)
    assert client.get(reverse("testbeds:manage", args=[testbed.slug])).status_code == 200


def test_start_up_cannot_list_a_test_bed(client, startup):
    client.force_login(startup.user)
    assert client.get(reverse("testbeds:create")).status_code == 403
    body = {**VALID, "sectors": ["transport"], "facilities": []}
    response = client.post("/api/v1/testbeds/", body, content_type="application/json")
    assert response.status_code == 400
    assert "organisation" in response.json()["errors"]


def test_photo_upload_strips_gps_and_keeps_renditions(provider_client, provider):
    testbed = TestBedFactory(organisation=provider.organisation)
    response = provider_client.post(
        reverse("testbeds:photo_add", args=[testbed.slug]),
        {"image": upload(jpeg_with_gps((1200, 900))), "alt_text": "Red wall", "caption": "Wall"},
    )
    assert response.status_code == 302
    photo = TestBedPhoto.objects.get()
    for field in ["original", "display", "thumbnail", "print_version"]:
        with getattr(photo, field).open("rb") as file:
            image = Image.open(file)
            assert not image.getexif(), field
            assert 0x8825 not in image.getexif()
    with photo.thumbnail.open("rb") as file:
        assert max(Image.open(file).size) <= 320


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "photo.png"),
        (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "photo.jpg"),
    ],
)
def test_fake_images_are_refused_and_nothing_is_stored(provider_client, provider, content, name):
    testbed = TestBedFactory(organisation=provider.organisation)
    response = provider_client.post(
        reverse("testbeds:photo_add", args=[testbed.slug]),
        {"image": upload(content, name), "alt_text": "x"},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not TestBedPhoto.objects.exists()


def test_oversize_upload_answers_413_in_the_api_and_stores_nothing(client, provider, settings):
    settings.MAX_UPLOAD_BYTES = 50_000
    testbed = TestBedFactory(organisation=provider.organisation)
    client.force_login(provider.user)
    big = upload(jpeg_with_gps((2000, 2000)) + b"\0" * 60_000)
    response = client.post(
        f"/api/v1/testbeds/{testbed.slug}/photos/", {"image": big, "alt_text": "Big"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not TestBedPhoto.objects.exists()


def test_request_body_over_the_limit_is_refused_before_reading(client, provider, settings):
    settings.MAX_REQUEST_BYTES = 1000
    testbed = TestBedFactory(organisation=provider.organisation)
    client.force_login(provider.user)
    response = client.post(
        f"/api/v1/testbeds/{testbed.slug}/photos/",
        {"image": upload(b"x" * 5000), "alt_text": "Big"},
    )
    assert response.status_code == 413


def test_api_create_update_and_publish(client, provider):
    client.force_login(provider.user)
    body = {**VALID, "facilities": ["Private 5G"], "trl_min": 6, "trl_max": 9, "capacity": 2}
    body.pop("requires_approval")
    response = client.post("/api/v1/testbeds/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    slug = response.json()["slug"]
    assert response.json()["status"] == "draft"
    bad = client.patch(
        f"/api/v1/testbeds/{slug}/", {"trl_min": 9, "trl_max": 2}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "trl_max" in bad.json()["errors"]
    sneaky = client.patch(
        f"/api/v1/testbeds/{slug}/",
        {"status": "retired", "capacity": 3},
        content_type="application/json",
    )
    assert sneaky.status_code == 200
    assert sneaky.json()["status"] == "draft"
    assert sneaky.json()["capacity"] == 3
    published = client.post(f"/api/v1/testbeds/{slug}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "published"


def test_pause_needs_a_reason_and_retire_is_final(provider_client, provider):
    testbed = TestBedFactory(organisation=provider.organisation)
    provider_client.post(reverse("testbeds:pause", args=[testbed.slug]), {"reason": ""})
    testbed.refresh_from_db()
    assert testbed.status == "published"
    provider_client.post(
        reverse("testbeds:retire", args=[testbed.slug]), {"reason": "Site closed", "confirm": "yes"}
    )
    testbed.refresh_from_db()
    assert testbed.status == "retired"
    provider_client.post(reverse("testbeds:publish", args=[testbed.slug]))
    testbed.refresh_from_db()
    assert testbed.status == "retired"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("ne24 1aa", "NE24 1AA"), ("SR13HS", "SR1 3HS"), ("  cf10 1ep ", "CF10 1EP"), ("", "")],
)
def test_the_listing_takes_a_postcode_not_coordinates(provider_client, typed, stored):
    """Issue 22, point 6: a postcode written the standard way; no latitude or longitude to
    type (nothing is looked up on the network)."""
    form = provider_client.get(reverse("testbeds:create")).content.decode()
    assert 'name="postcode"' in form and 'name="latitude"' not in form
    response = provider_client.post(reverse("testbeds:create"), {**VALID, "postcode": typed})
    assert response.status_code == 302
    assert TestBed.objects.get(name="Harbour 5G testbed").postcode == stored


@pytest.mark.parametrize("typed", ["12345", "SR1", "not a postcode", "SR1 3H"])
def test_a_wrong_postcode_gets_a_clear_error_and_saves_nothing(provider_client, typed):
    response = provider_client.post(reverse("testbeds:create"), {**VALID, "postcode": typed})
    assert response.status_code in (200, 400)
    assert "Enter a UK postcode, like SR1 3HS." in response.content.decode()
    assert not TestBed.objects.filter(name="Harbour 5G testbed").exists()
