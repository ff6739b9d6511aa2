"""Issue 22, point 6: the listing form's postcode shows its region after saving, worked out
here from the postcode area (no look-up on the network), and a postcode in another region
than the one chosen is pointed out."""

import socket

import pytest
from django.urls import reverse

from accounts.models import Region
from testbeds.models import TestBed
from testbeds.postcodes import POSTCODE_AREAS, postcode_area, postcode_region, postcode_regions
from tests.testbeds.test_provider import VALID, provider_client  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("postcode", "region"),
    [
        ("SR1 3HS", "north-east"),
        ("M13 9PL", "north-west"),
        ("CF14 4XW", "wales"),
        ("LL55 1SU", "wales"),
        ("EC1A 1BB", "london"),
        ("W1A 1AA", "london"),
        ("EH1 1YZ", "scotland"),
        ("BT1 5GS", "northern-ireland"),
        ("B1 1AA", "west-midlands"),
        ("S1 2HE", "yorkshire-humber"),
        ("NG1 5FS", "east-midlands"),
        ("CB2 1TN", "east-of-england"),
        ("OX1 2JD", "south-east"),
        ("EX1 1AA", "south-west"),
        ("je2 3ab", ""),  # Jersey: in no UK region
        ("XX1 1AA", ""),
    ],
)
def test_a_postcode_area_gives_its_region(postcode, region):
    assert postcode_region(postcode) == region


def test_an_area_across_two_regions_takes_the_chosen_one_when_it_fits():
    assert postcode_regions("CH5 1AA") == ("north-west", "wales")
    assert postcode_region("CH5 1AA", "wales") == "wales"
    assert postcode_region("CH5 1AA", "london") == "north-west"
    assert postcode_area("sw1a 1aa") == "SW" and postcode_area("S1 2HE") == "S"


def test_every_area_names_real_regions():
    assert len(POSTCODE_AREAS) >= 120
    for regions in POSTCODE_AREAS.values():
        assert set(regions) <= set(Region.values)


def no_network(*args, **kwargs):
    raise AssertionError("the region is worked out here, not looked up on the network")


def test_after_saving_the_listing_shows_the_postcode_region_and_its_tile(
    provider_client,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    response = provider_client.post(
        reverse("testbeds:create"), {**VALID, "postcode": "sr13hs"}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "SR1 3HS – in North East" in html
    assert "Where it is: North East" in html  # the region tile map, as on the test bed page
    assert 'id="location-map"' in html or "location-map" in html
    assert "Check the region or the postcode" not in html


def test_a_postcode_in_another_region_is_pointed_out_after_editing(
    provider_client,  # noqa: F811
):
    provider_client.post(reverse("testbeds:create"), {**VALID, "postcode": "SR1 3HS"})
    testbed = TestBed.objects.get(name=VALID["name"])
    response = provider_client.post(
        reverse("testbeds:edit", args=[testbed.slug]),
        {**VALID, "postcode": "CF10 1EP"},
        follow=True,
    )
    html = response.content.decode()
    assert "CF10 1EP – in Wales" in html
    assert (
        "The postcode CF10 1EP is in Wales, but the listing says North East. "
        "Check the region or the postcode." in html
    )
    manage = reverse("testbeds:manage", args=[testbed.slug])
    testbed.postcode = ""
    testbed.save(update_fields=["postcode"])
    assert "None given" in provider_client.get(manage).content.decode()
