"""The region a UK postcode is in, worked out here from its postcode area (no look-up online).

A postcode's area is its leading letters ("SR" in SR1 3HS, "M" in M13 9PL). Each area lies in
one ITL1 region or nation, or straddles two (CH: Chester in the North West, Deeside in Wales);
for those, both are given, the one holding most of the area first. That is enough to show the
provider where the postcode puts the test bed, and to point out a postcode and a chosen
region that cannot both be right, without sending the address anywhere. Crown dependencies
(GY, JE, IM) are in no UK region.
"""

from __future__ import annotations

import re

from accounts.models import Region

NE, NW, YH = Region.NORTH_EAST, Region.NORTH_WEST, Region.YORKSHIRE_HUMBER
EM, WM, EE = Region.EAST_MIDLANDS, Region.WEST_MIDLANDS, Region.EAST_OF_ENGLAND
LDN, SE, SW = Region.LONDON, Region.SOUTH_EAST, Region.SOUTH_WEST
WAL, SCO, NI = Region.WALES, Region.SCOTLAND, Region.NORTHERN_IRELAND

POSTCODE_AREAS: dict[str, tuple[str, ...]] = {
    # North East
    "NE": (NE,), "SR": (NE,), "DH": (NE,), "TS": (NE, YH), "DL": (NE, YH),
    # North West
    "M": (NW,), "L": (NW,), "WA": (NW,), "WN": (NW,), "BL": (NW,), "BB": (NW,), "PR": (NW,),
    "FY": (NW,), "LA": (NW, YH), "CA": (NW,), "CW": (NW,), "CH": (NW, WAL), "SK": (NW, EM),
    "OL": (NW, YH),
    # Yorkshire and The Humber
    "LS": (YH,), "BD": (YH,), "HD": (YH,), "HX": (YH,), "HG": (YH,), "WF": (YH,),
    "S": (YH, EM), "DN": (YH, EM), "HU": (YH,), "YO": (YH,),
    # East Midlands
    "NG": (EM,), "DE": (EM, WM), "LE": (EM,), "LN": (EM,), "NN": (EM,),
    # West Midlands
    "B": (WM,), "CV": (WM,), "DY": (WM,), "WS": (WM,), "WV": (WM,), "ST": (WM, NW),
    "TF": (WM,), "HR": (WM, WAL), "WR": (WM,), "SY": (WM, WAL),
    # East of England
    "CB": (EE,), "CO": (EE,), "IP": (EE,), "NR": (EE,), "CM": (EE,), "SS": (EE,),
    "LU": (EE,), "AL": (EE,), "SG": (EE,), "WD": (EE,), "PE": (EE, EM),
    # London
    "E": (LDN,), "EC": (LDN,), "N": (LDN,), "NW": (LDN,), "SE": (LDN,), "SW": (LDN,),
    "W": (LDN,), "WC": (LDN,), "HA": (LDN,), "BR": (LDN, SE), "CR": (LDN, SE),
    "DA": (LDN, SE), "KT": (LDN, SE), "SM": (LDN, SE), "TW": (LDN, SE), "UB": (LDN, SE),
    "EN": (LDN, EE), "IG": (LDN, EE), "RM": (LDN, EE),
    # South East
    "BN": (SE,), "CT": (SE,), "GU": (SE,), "ME": (SE,), "OX": (SE,), "PO": (SE,),
    "RG": (SE,), "RH": (SE,), "SL": (SE,), "SO": (SE,), "TN": (SE,), "MK": (SE, EE),
    "HP": (SE, EE),
    # South West
    "BA": (SW,), "BS": (SW,), "EX": (SW,), "GL": (SW,), "PL": (SW,), "TA": (SW,),
    "TQ": (SW,), "TR": (SW,), "DT": (SW,), "SN": (SW, SE), "SP": (SW, SE), "BH": (SW, SE),
    # Wales
    "CF": (WAL,), "SA": (WAL,), "NP": (WAL,), "LD": (WAL,), "LL": (WAL,),
    # Scotland
    "AB": (SCO,), "DD": (SCO,), "DG": (SCO,), "EH": (SCO,), "FK": (SCO,), "G": (SCO,),
    "HS": (SCO,), "IV": (SCO,), "KA": (SCO,), "KW": (SCO,), "KY": (SCO,), "ML": (SCO,),
    "PA": (SCO,), "PH": (SCO,), "ZE": (SCO,), "TD": (SCO, NE),
    # Northern Ireland
    "BT": (NI,),
    # Crown dependencies: no UK region
    "GY": (), "JE": (), "IM": (),
}  # fmt: skip

_AREA = re.compile(r"^([A-Z]{1,2})[0-9]")


def postcode_area(postcode: str) -> str:
    """The postcode's area letters ("SR" for "SR1 3HS"), or "" if it does not look like one."""
    match = _AREA.match("".join(str(postcode).split()).upper())
    return match.group(1) if match else ""


def postcode_regions(postcode: str) -> tuple[str, ...]:
    """The regions the postcode's area lies in, most of it first; () if unknown."""
    return tuple(str(region) for region in POSTCODE_AREAS.get(postcode_area(postcode), ()))


def postcode_region(postcode: str, chosen: str = "") -> str:
    """The region to show for a postcode: the chosen region when the postcode's area lies
    (partly) in it, else the region holding most of the area; "" when the area is unknown."""
    regions = postcode_regions(postcode)
    if chosen in regions:
        return chosen
    return regions[0] if regions else ""


def region_disagrees(postcode: str, chosen: str) -> bool:
    """True when the postcode's area lies wholly outside the chosen region."""
    regions = postcode_regions(postcode)
    return bool(regions) and bool(chosen) and chosen not in regions
