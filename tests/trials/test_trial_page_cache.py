"""Issue 20: the trial page's body is kept between changes, keyed by a fingerprint of every
row it shows (PostgreSQL's ``xmin``) and by how the person relates to the trial. Any change
shows at once, whoever made it and however (a service, a bulk ``update()``); nobody is
given a body built for someone else; every page carries its own CSRF token."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation, Programme, User
from testbeds.models import TestBed
from tests.factories import MembershipFactory
from tests.trials.conftest import TODAY
from trials import selectors, services, trial_page
from trials.models import EvidencePack, Trial

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def on_postgres():
    """Kept bodies need PostgreSQL (xmin). The tests that use it commit each change in a
    transaction of its own, as requests do: inside one test transaction a row written twice
    keeps its xmin (production never reads a row between two writes of one transaction)."""
    if connection.vendor != "postgresql":
        pytest.skip("Bodies are kept on PostgreSQL only (xmin); runs in CI's PostgreSQL pass")
    cache.clear()
    yield
    translation.activate(settings.LANGUAGE_CODE)


committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def kpi(active_trial, startup):
    return services.kpi_add(
        actor=startup.user,
        trial=active_trial,
        name="Bins emptied on time",
        unit="%",
        baseline=Decimal("60"),
        target=Decimal("90"),
        direction="higher",
    )


def page(client: Client, trial: Trial) -> str:
    response = client.get(reverse("trials:detail", args=[trial.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert trial_page.CSRF_PLACEHOLDER not in content
    return content


def main(content: str) -> str:
    """The page's main element without its CSRF tokens (the header names the person)."""
    return TOKEN.sub("", content[content.index("<main") : content.index("</main>")])


def kept_keys() -> int:
    return sum(1 for key in cache._cache if ":trial-page:" in key)  # noqa: SLF001 — locmem


def test_the_body_is_kept_only_on_postgres(client, startup, active_trial):
    cache.clear()
    client.force_login(startup.user)
    page(client, active_trial)
    page(client, active_trial)
    assert kept_keys() == (1 if connection.vendor == "postgresql" else 0)


@committed
def test_a_kept_body_carries_this_requests_csrf_token(on_postgres, startup, active_trial):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(startup.user)
    second.force_login(startup.user)
    page(first, active_trial)
    assert kept_keys() == 1
    content = page(second, active_trial)  # from the kept body
    tokens = set(TOKEN.findall(content))
    assert len(tokens) == 1
    response = second.post(
        reverse("trials:log_add", args=[active_trial.pk]),
        {"date": TODAY.isoformat(), "text": "Sensors fitted.", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert response.status_code == 302
    assert "Sensors fitted." in page(second, active_trial)


def rename_startup(trial: Trial, **_) -> str:
    Organisation.objects.filter(pk=trial.organisation_id).update(name="Binwise Renamed Ltd")
    return "Binwise Renamed Ltd"


def rename_testbed(trial: Trial, **_) -> str:
    TestBed.objects.filter(pk=trial.testbed_id).update(name="Depot Renamed")
    return "Depot Renamed"


def rename_programme(trial: Trial, **_) -> str:
    Programme.objects.filter(pk=trial.programme_id).update(name="Programme Renamed")
    return "Programme Renamed"


def retitle(trial: Trial, **_) -> str:
    Trial.objects.filter(pk=trial.pk).update(title="Retitled by a bulk update")
    return "Retitled by a bulk update"


def measure(trial: Trial, startup, kpi, **_) -> str:
    services.measurement_add(actor=startup.user, kpi=kpi, value=Decimal("77.5"), date=TODAY)
    return "77.5"


def log(trial: Trial, provider, **_) -> str:
    services.log_entry_add(actor=provider.user, trial=trial, text="Gate code changed.")
    return "Gate code changed."


def invite(trial: Trial, startup, **_) -> str:
    services.partner_invite(
        actor=startup.user,
        trial=trial,
        email="lab@uni.example",
        role="evaluator",
        contribution="Independent evaluation",
    )
    return "lab@uni.example"


def remove_kpi(trial: Trial, startup, kpi, **_) -> str:
    services.kpi_remove(actor=startup.user, kpi=kpi)
    return "No KPIs yet."


@committed
@pytest.mark.parametrize(
    "change",
    [
        rename_startup,
        rename_testbed,
        rename_programme,
        retitle,
        measure,
        log,
        invite,
        remove_kpi,
    ],
)
def test_every_change_shows_at_once(
    on_postgres, client, startup, provider, active_trial, kpi, change
):
    client.force_login(startup.user)
    before = page(client, active_trial)
    assert kept_keys() == 1
    expected = change(active_trial, startup=startup, provider=provider, kpi=kpi)
    assert expected not in before
    assert expected in page(client, active_trial)


@committed
def test_renaming_who_recorded_a_measurement_shows(on_postgres, client, startup, active_trial, kpi):
    services.measurement_add(actor=startup.user, kpi=kpi, value=Decimal("70"), date=TODAY)
    client.force_login(startup.user)
    assert "Recorded Renamed" not in page(client, active_trial)
    User.objects.filter(pk=startup.user.pk).update(full_name="Recorded Renamed")
    assert "Recorded Renamed" in page(client, active_trial)


@committed
def test_each_person_gets_the_body_built_for_how_they_relate(
    on_postgres, startup, provider, other_startup, active_trial, kpi
):
    as_startup, as_provider, as_other = Client(), Client(), Client()
    as_startup.force_login(startup.user)
    as_provider.force_login(provider.user)
    as_other.force_login(other_startup.user)
    startup_page = page(as_startup, active_trial)
    assert "Record a measurement" in startup_page
    provider_page = page(as_provider, active_trial)
    assert "Record a measurement" not in provider_page
    assert "Add an observation" in provider_page
    assert kept_keys() == 2
    url = reverse("trials:detail", args=[active_trial.pk])
    assert as_other.get(url).status_code == 404
    # A second member of the start-up is given the start-up's body (with their own token).
    colleague = Client()
    colleague.force_login(MembershipFactory(organisation=startup.organisation).user)
    colleague_page = page(colleague, active_trial)
    assert kept_keys() == 2
    assert main(colleague_page) == main(startup_page)
    assert "Record a measurement" not in page(as_provider, active_trial)


@committed
def test_welsh_and_english_bodies_are_kept_apart(on_postgres, client, startup, active_trial):
    client.force_login(startup.user)
    english = page(client, active_trial)
    client.get("/language/cy/", {"next": "/"})
    welsh = page(client, active_trial)
    assert "Key performance indicators" in english
    assert "Key performance indicators" not in welsh


def test_a_body_is_not_kept_while_a_pack_is_prepared(monkeypatch, startup, active_trial):
    monkeypatch.setattr(trial_page, "keep_seconds", lambda: 600)
    data = selectors.trial_page_data(active_trial)
    assert trial_page.keep_for(data) == 600
    data["packs"] = [EvidencePack(trial=active_trial, state=EvidencePack.State.PREPARING)]
    assert trial_page.keep_for(data) == 0


def test_a_body_is_not_kept_past_an_invitation_lapsing(monkeypatch, startup, active_trial):
    monkeypatch.setattr(trial_page, "keep_seconds", lambda: 600)
    partner, _token = services.partner_invite(
        actor=startup.user,
        trial=active_trial,
        email="a@b.example",
        role="evaluator",
        contribution="Field work",
    )
    partner.expires_at = timezone.now() + datetime.timedelta(seconds=90)
    partner.save(update_fields=["expires_at"])
    assert 80 < trial_page.keep_for(selectors.trial_page_data(active_trial)) <= 90


# The trials list's rows (trials.list_html) -----------------------------------------------


def rename_provider(trial: Trial, **_) -> str:
    provider_id = TestBed.objects.get(pk=trial.testbed_id).organisation_id
    Organisation.objects.filter(pk=provider_id).update(name="Council Renamed")
    return "Council Renamed"


def list_page(client: Client) -> str:
    response = client.get(reverse("trials:list"))
    assert response.status_code == 200
    return response.content.decode()


def kept_rows() -> int:
    return sum(1 for key in cache._cache if ":trial-row:" in key)  # noqa: SLF001 — locmem


@committed
@pytest.mark.parametrize(
    "change", [rename_startup, rename_provider, rename_testbed, rename_programme, retitle]
)
def test_a_kept_row_of_the_trials_list_follows_every_change(
    on_postgres, client, startup, provider, active_trial, change
):
    client.force_login(startup.user)
    before = list_page(client)
    assert kept_rows() == 1
    expected = change(active_trial, startup=startup, provider=provider, kpi=None)
    assert expected not in before
    assert expected in list_page(client)


@committed
def test_rows_are_kept_per_language(on_postgres, client, startup, active_trial):
    client.force_login(startup.user)
    english = list_page(client)
    client.get("/language/cy/", {"next": "/"})
    welsh = list_page(client)
    assert kept_rows() == 2
    assert 'data-label="Start-up"' in english
    assert 'data-label="Start-up"' not in welsh
