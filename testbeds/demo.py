"""Demo test beds for `manage.py seed_demo`, created through the services. Safe to run again."""

from __future__ import annotations

import io

from accounts.demo import DemoAccounts, demo_organisation
from accounts.models import Organisation, Region, User

from . import services
from .demo_images import demo_photo
from .models import TestBed

TESTBEDS: list[dict] = [
    {
        "owner": "provider_body",
        "name": "Sunderland 5G Smart Street",
        "summary": "A working high street with a standalone 5G network, sensor-ready lamp posts "
        "and "
        "a city data platform, open for connected-mobility and public-realm trials.",
        "description": "Keel Square and the surrounding streets in Sunderland city centre carry a "
        "standalone 5G network, fibre to every lamp post and power at street level.\n\n"
        "Previous trials have tested air-quality sensing, footfall analytics and "
        "connected traffic signals. The council's smart city team supports set-up, "
        "permits and data sharing.",
        "region": Region.NORTH_EAST,
        "town": "Sunderland",
        "postcode": "SR1 3HS",
        "latitude": "54.90580",
        "longitude": "-1.38320",
        "sectors": ["transport", "public-services", "built-environment"],
        "technologies": ["5g-connectivity", "iot-sensors", "ai-data"],
        "capacity": 1,
        "facilities": [
            "Standalone 5G network",
            "Power and fibre at 40 lamp posts",
            "City data platform",
        ],
        "eligibility": "UK-registered companies with a product at TRL 6 or above.",
        "assurances": ["dpia", "insurance", "data-sharing"],
        "cost_model": "free",
        "min_days": 7,
        "max_days": 90,
        "notice_days": 14,
        "scene": "street",
        "photos": [
            "Keel Square at dusk with lamp posts carrying 5G small cells",
            "The high street looking north",
        ],
    },
    {
        "owner": "provider_body",
        "name": "Hendon Bus Depot Charging Hub",
        "summary": "An operational electric bus depot with 24 rapid chargers, open for smart "
        "charging, fleet telematics and predictive maintenance trials.",
        "description": "The depot runs 60 electric buses overnight. Trials can use live charger "
        "data, a test bay and the depot's private LTE network.",
        "region": Region.NORTH_EAST,
        "town": "Sunderland",
        "postcode": "SR1 2LE",
        "sectors": ["transport", "energy"],
        "technologies": ["iot-sensors", "ai-data", "digital-twins"],
        "capacity": 3,
        "facilities": ["24 rapid chargers", "Test bay", "Private LTE"],
        "assurances": ["insurance", "data-sharing"],
        "cost_model": "per-day",
        "cost_amount": "150",
        "cost_note": "Covers supervision by depot staff.",
        "min_days": 14,
        "max_days": 120,
        "notice_days": 21,
        "scene": "depot",
        "photos": ["Six electric buses charging in the depot at dusk"],
    },
    {
        "owner": "provider_body",
        "name": "Mowbray Park Living Lab",
        "summary": "A Victorian city park instrumented with environmental sensors and LoRaWAN, "
        "for air quality, biodiversity and visitor-flow trials.",
        "description": "The park has 30 environmental sensors, LoRaWAN coverage and a visitor "
        "centre for engagement sessions.",
        "region": Region.NORTH_EAST,
        "town": "Sunderland",
        "postcode": "SR1 1PP",
        "sectors": ["public-services", "culture-tourism", "energy"],
        "technologies": ["iot-sensors", "drones"],
        "capacity": 2,
        "facilities": ["LoRaWAN gateway", "30 environmental sensors", "Visitor centre"],
        "assurances": ["insurance"],
        "cost_model": "free",
        "min_days": 7,
        "max_days": 180,
        "notice_days": 7,
        "requires_approval": False,
        "scene": "park",
        "photos": ["Trees and a path through Mowbray Park with a sensor post"],
    },
    {
        "owner": "provider_body",
        "name": "Sunderland Civic Centre Digital Twin Floor",
        "summary": "A fully occupied office floor with a building digital twin, for energy "
        "management and workplace analytics trials.",
        "description": "Building management data, room booking and occupancy sensors feed a "
        "digital twin of the floor.",
        "region": Region.NORTH_EAST,
        "town": "Sunderland",
        "postcode": "SR2 7DN",
        "sectors": ["built-environment", "energy", "public-services"],
        "technologies": ["digital-twins", "iot-sensors", "cyber-security"],
        "capacity": 2,
        "trl_min": 5,
        "facilities": ["Building digital twin", "Occupancy sensors"],
        "assurances": ["dpia", "data-sharing"],
        "cost_model": "fixed",
        "cost_amount": "2000",
        "min_days": 28,
        "max_days": 180,
        "notice_days": 30,
        "scene": "lab",
        "photos": ["Screens showing the building's digital twin in the control room"],
    },
    {
        "owner": "second_body",
        "name": "University Hospital of Wales Virtual Ward",
        "summary": "A respiratory ward and its virtual ward service, open for remote monitoring "
        "and clinical decision-support trials with clinical safety support.",
        "description": "Clinicians co-design trials with suppliers. Trials need DTAC and a "
        "clinical safety case; the health board's innovation team helps with both.",
        "region": Region.WALES,
        "town": "Cardiff",
        "postcode": "CF14 4XW",
        "sectors": ["health-care"],
        "technologies": ["ai-data", "iot-sensors"],
        "capacity": 2,
        "trl_min": 7,
        "facilities": ["12-bed respiratory ward", "Virtual ward hub", "Clinical research nurse"],
        "eligibility": "Products with UKCA marking or a clear route to it.",
        "assurances": ["dpia", "clinical-safety", "ethics", "data-sharing", "insurance"],
        "cost_model": "free",
        "min_days": 30,
        "max_days": 180,
        "notice_days": 30,
        "scene": "ward",
        "photos": ["Hospital ward with four beds and monitoring screens"],
    },
    {
        "owner": "second_body",
        "name": "Barry Community Clinic Robotics Bay",
        "summary": "A community clinic with a robotics bay for logistics and rehabilitation "
        "robotics trials.",
        "description": "The bay has step-free access, power, Wi-Fi and space for up to two robots.",
        "region": Region.WALES,
        "town": "Barry",
        "postcode": "CF63 4RW",
        "sectors": ["health-care", "manufacturing"],
        "technologies": ["robotics-autonomy"],
        "capacity": 1,
        "facilities": ["Robotics bay", "Step-free access"],
        "assurances": ["insurance", "clinical-safety"],
        "cost_model": "free",
        "min_days": 14,
        "max_days": 60,
        "notice_days": 21,
        "scene": "lab",
        "photos": ["A logistics robot in the clinic corridor"],
    },
    {
        "owner": "third_body",
        "name": "Greater Manchester Bus Corridor",
        "summary": "Twelve kilometres of bus corridor with roadside units and priority signals, "
        "for connected and autonomous transport trials.",
        "description": "Roadside units at 18 junctions, bus priority signals and an open data "
        "feed.",
        "region": Region.NORTH_WEST,
        "town": "Manchester",
        "postcode": "M13 9PL",
        "sectors": ["transport"],
        "technologies": ["5g-connectivity", "robotics-autonomy", "ai-data"],
        "capacity": 4,
        "facilities": ["Roadside units at 18 junctions", "Bus priority signals"],
        "assurances": ["insurance", "data-sharing"],
        "cost_model": "free",
        "min_days": 14,
        "max_days": 90,
        "notice_days": 14,
        "scene": "street",
        "photos": ["A bus corridor with roadside units on gantries"],
    },
    {
        "owner": "third_body",
        "name": "Salford Energy House Field Site",
        "summary": "Terraced houses in a controlled climate chamber and on a live street, for "
        "home energy, heat pump and retrofit trials.",
        "description": "Trials can control temperature, humidity and rain in the chamber, then "
        "compare with the same products in lived-in homes.",
        "region": Region.NORTH_WEST,
        "town": "Salford",
        "postcode": "M5 4WT",
        "sectors": ["energy", "built-environment"],
        "technologies": ["iot-sensors", "digital-twins"],
        "capacity": 2,
        "facilities": ["Climate chamber", "Instrumented terraced houses"],
        "assurances": ["insurance", "ethics"],
        "cost_model": "per-day",
        "cost_amount": "400",
        "min_days": 7,
        "max_days": 60,
        "notice_days": 28,
        "scene": "lab",
        "photos": ["Instrument panels monitoring the climate chamber"],
    },
    {
        "owner": "fourth_body",
        "name": "Cumbria Hill Farm Connectivity Trial Site",
        "summary": "A working upland farm with private 5G and drone airspace, for agritech, "
        "livestock monitoring and rural connectivity trials.",
        "description": "The farm has 400 hectares, a private 5G cell and permission for "
        "beyond-visual-line-of-sight drone flights on agreed days.",
        "region": Region.NORTH_WEST,
        "town": "Penrith",
        "postcode": "CA11 0AA",
        "sectors": ["agriculture"],
        "technologies": ["5g-connectivity", "drones", "iot-sensors"],
        "capacity": 2,
        "facilities": ["Private 5G cell", "Drone airspace on agreed days", "Livestock handling"],
        "assurances": ["insurance"],
        "cost_model": "free",
        "min_days": 14,
        "max_days": 120,
        "notice_days": 14,
        "scene": "farm",
        "photos": ["Fields and a barn on the hill farm, with drones overhead"],
    },
    {
        "owner": "fourth_body",
        "name": "Carlisle Learning Campus Classrooms",
        "summary": "Classrooms and a makerspace at a further education college, for education "
        "technology and immersive learning trials.",
        "description": "Two classrooms, a makerspace and 20 VR headsets, with staff who help run "
        "sessions with students.",
        "region": Region.NORTH_WEST,
        "town": "Carlisle",
        "postcode": "CA1 2HH",
        "sectors": ["education"],
        "technologies": ["immersive-xr", "ai-data"],
        "capacity": 3,
        "facilities": ["Two classrooms", "Makerspace", "20 VR headsets"],
        "assurances": ["dpia", "ethics"],
        "cost_model": "free",
        "min_days": 7,
        "max_days": 90,
        "notice_days": 21,
        "scene": "lab",
        "photos": ["A makerspace with screens and a VR station"],
    },
]


# Two bilingual listings of the Welsh council: one in both languages throughout, one whose
# description is only in Welsh (English readers see it with a note saying so).
TESTBEDS += [
    {
        "owner": "council2_body",
        "name": "Caernarfon Harbour Smart Quay",
        "name_cy": "Cei Clyfar Harbwr Caernarfon",
        "summary": "A working harbour quay with tide, water-quality and mooring sensors and a "
        "public Wi-Fi mesh, open for maritime, tourism and environmental trials.",
        "summary_cy": "Cei harbwr gweithredol gyda synwyryddion llanw, ansawdd dŵr ac "
        "angorfeydd a rhwydwaith Wi-Fi cyhoeddus, ar agor i dreialon morol, twristiaeth ac "
        "amgylcheddol.",
        "description": "The quay below the castle has 12 mooring sensors, a tide gauge, "
        "water-quality buoys and LoRaWAN coverage across the harbour.\n\n"
        "The council's harbour team helps with permits, access by boat and data sharing. "
        "Trials are supported in Welsh or English.",
        "description_cy": "Mae gan y cei islaw'r castell 12 synhwyrydd angorfa, medrydd llanw, "
        "bwiau ansawdd dŵr a signal LoRaWAN ar draws yr harbwr.\n\n"
        "Mae tîm harbwr y cyngor yn helpu gyda thrwyddedau, mynediad mewn cwch a rhannu data. "
        "Gellir cynnal treialon yn Gymraeg neu yn Saesneg.",
        "region": Region.WALES,
        "town": "Caernarfon",
        "postcode": "LL55 1SU",
        "sectors": ["culture-tourism", "public-services"],
        "technologies": ["iot-sensors", "ai-data"],
        "capacity": 2,
        "facilities": ["12 mooring sensors", "Tide gauge", "LoRaWAN across the harbour"],
        "assurances": ["insurance"],
        "cost_model": "free",
        "min_days": 7,
        "max_days": 120,
        "notice_days": 14,
        "scene": "park",
        "photos": ["The harbour quay below Caernarfon castle at high tide"],
    },
    {
        "owner": "council2_body",
        "name": "Bangor Community Library Lab",
        "name_cy": "Labordy Llyfrgell Gymunedol Bangor",
        "summary": "A busy town library with a digital skills room, open for trials of "
        "public-service and education technology with bilingual users.",
        "summary_cy": "Llyfrgell brysur yn y dref gydag ystafell sgiliau digidol, ar agor i "
        "dreialon technoleg gwasanaethau cyhoeddus ac addysg gyda defnyddwyr dwyieithog.",
        "description": "",
        "description_cy": "Mae'r llyfrgell yn croesawu tua 800 o ymwelwyr yr wythnos. Mae "
        "ganddi ystafell sgiliau digidol gyda 12 gliniadur, sgrin fawr a band eang ffibr, a "
        "staff sy'n gallu helpu i gynnal sesiynau gyda'r cyhoedd yn Gymraeg ac yn Saesneg.",
        "region": Region.WALES,
        "town": "Bangor",
        "postcode": "LL57 1DT",
        "sectors": ["public-services", "education"],
        "technologies": ["ai-data"],
        "capacity": 1,
        "facilities": ["Digital skills room", "12 laptops", "Fibre broadband"],
        "assurances": ["dpia"],
        "cost_model": "free",
        "min_days": 7,
        "max_days": 60,
        "notice_days": 14,
        "scene": "lab",
        "photos": ["The library's digital skills room with laptops on long tables"],
    },
]


def other_bodies(accounts: DemoAccounts) -> dict[str, Organisation]:
    third = demo_organisation(
        actor=accounts.admin,
        admin=accounts.admin,
        kind=Organisation.Kind.PUBLIC_BODY,
        name="Transport for Greater Manchester",
        region=Region.NORTH_WEST,
        website="https://tfgm.example",
        description="Runs the city region's transport network.",
    )
    fourth = demo_organisation(
        actor=accounts.admin,
        admin=accounts.admin,
        kind=Organisation.Kind.PUBLIC_BODY,
        name="Cumbria County Council",
        region=Region.NORTH_WEST,
        website="https://cumbria.example",
        description="Rural test sites across Cumbria.",
    )
    return {
        "provider_body": accounts.provider_body,
        "second_body": accounts.second_body,
        "third_body": third,
        "fourth_body": fourth,
        "council2_body": accounts.council2_body,
    }


def _actor_for(organisation: Organisation, accounts: DemoAccounts) -> User:
    if organisation == accounts.council2_body:
        return accounts.council2
    return accounts.provider if organisation == accounts.provider_body else accounts.admin


def seed_testbeds(accounts: DemoAccounts) -> list[TestBed]:
    bodies = other_bodies(accounts)
    testbeds = []
    for number, spec in enumerate(TESTBEDS):
        spec = dict(spec)
        owner = bodies[spec.pop("owner")]
        scene = spec.pop("scene")
        photos = spec.pop("photos")
        actor = _actor_for(owner, accounts)
        testbed = TestBed.objects.filter(name=spec["name"]).first()
        if testbed is None:
            spec.setdefault("contact_name", "Innovation team")
            spec.setdefault("contact_email", f"innovation@{owner.slug}.example")
            testbed = services.testbed_create(actor=actor, organisation=owner, **spec)
            for index, alt_text in enumerate(photos):
                services.photo_add(
                    actor=actor,
                    testbed=testbed,
                    upload=io.BytesIO(demo_photo(scene, seed=number * 10 + index)),
                    alt_text=alt_text,
                )
            services.testbed_publish(actor=actor, testbed=testbed)
        testbeds.append(testbed)
    return testbeds
