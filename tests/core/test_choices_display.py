"""get_FOO_display reads a map made once per field, in the language active when shown."""

from django.utils import translation

from accounts.models import Organisation, Region
from core.choices import _get_FIELD_display, install
from testbeds.models import Sector, SectorCode


def test_display_is_the_label_in_the_active_language():
    organisation = Organisation(name="x", region=Region.WALES)
    with translation.override("en-gb"):
        english = organisation.get_region_display()
    with translation.override("cy"):
        welsh = organisation.get_region_display()
    assert english == str(Region.WALES.label) == "Wales"
    assert welsh == "Cymru"


def test_unknown_value_is_shown_as_it_is():
    assert Organisation(name="x", region="atlantis").get_region_display() == "atlantis"


def test_generated_displays_use_the_map_and_installing_again_changes_nothing():
    install()
    display = Organisation.__dict__["get_region_display"]
    assert display.func is _get_FIELD_display
    organisation = Organisation(name="x", region=Region.WALES)
    organisation.get_region_display()
    assert Region.WALES in Organisation._meta.get_field("region")._tbx_display_labels


def test_sector_name_is_its_label():
    assert Sector(code=SectorCode.values[0]).name == str(SectorCode.choices[0][1])
