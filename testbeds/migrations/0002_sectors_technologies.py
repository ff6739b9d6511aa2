from django.db import migrations

SECTORS = [
    "health-care",
    "transport",
    "energy",
    "built-environment",
    "agriculture",
    "manufacturing",
    "public-services",
    "education",
    "culture-tourism",
    "defence-security",
]
TECHNOLOGIES = [
    "5g-connectivity",
    "iot-sensors",
    "ai-data",
    "robotics-autonomy",
    "drones",
    "immersive-xr",
    "digital-twins",
    "cyber-security",
]


def create(apps, schema_editor):
    for code in SECTORS:
        apps.get_model("testbeds", "Sector").objects.get_or_create(code=code)
    for code in TECHNOLOGIES:
        apps.get_model("testbeds", "Technology").objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("testbeds", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
