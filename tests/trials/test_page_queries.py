"""Issue 20: the trials list and the trial page in a fixed number of queries, whoever looks
and however much the trial holds; what each person sees is unchanged."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from tests.factories import TestBedFactory
from tests.trials.conftest import TODAY, d
from trials import selectors, services

#: session, person with memberships (middleware), the ids in order (which also give the
#: count), the page's rows, waitlist, header counts
LIST_QUERIES = 6


def list_queries(*, kept: bool = False) -> int:
    """On PostgreSQL the rows' versions are read first (one query); rows kept under their
    version are not read again (``trials.list_html``)."""
    if connection.vendor == "postgresql":
        return LIST_QUERIES if kept else LIST_QUERIES + 1
    return LIST_QUERIES


#: session, person with memberships, the trial, KPIs, measurements, log, files, events,
#: changes of dates, partners, packs, header counts, challenge and adoption panels; a
#: provider's page also asks whether their organisation is a partner too
TRIAL_PAGE_QUERIES = {"startup": 14, "provider": 15}
#: On PostgreSQL the page first reads its heading with the fingerprint of its rows (one query;
#: a provider's roles are checked again when the body is built); a kept body then costs
#: session, person with memberships, the heading (and a provider's partner check), header
#: counts.
BODY_BUILT_ON_POSTGRES = {"startup": 15, "provider": 17}
BODY_KEPT_ON_POSTGRES = {"startup": 4, "provider": 5}


def trial_page_queries(who: str) -> int:
    if connection.vendor == "postgresql":
        return BODY_BUILT_ON_POSTGRES[who]
    return TRIAL_PAGE_QUERIES[who]


def another_trial(startup, provider, first: int):
    testbed = TestBedFactory(organisation=provider.organisation, capacity=5)
    return services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title=f"Trial {first}",
        summary="More of the same.",
        first_day=d(first),
        last_day=d(first + 2),
    )


def fill(trial, startup, provider, kpis: int) -> None:
    """KPIs with measurements and log entries from both sides."""
    for number in range(kpis):
        kpi = services.kpi_add(
            actor=startup.user,
            trial=trial,
            name=f"KPI {number} of {kpis}",
            unit="%",
            baseline=Decimal("10"),
            target=Decimal("20"),
            direction="higher",
        )
        for day in range(3):
            services.measurement_add(
                actor=startup.user, kpi=kpi, value=Decimal(11 + day), date=TODAY, note=""
            )
    for author in (startup, provider):
        services.log_entry_add(actor=author.user, trial=trial, text="Went well.", date=TODAY)


def test_trial_list_queries_do_not_grow_with_trials(
    client, startup, provider, active_trial, django_assert_num_queries
):
    client.force_login(startup.user)
    with django_assert_num_queries(list_queries()):
        assert client.get(reverse("trials:list")).status_code == 200
    for first in range(30, 60, 5):
        another_trial(startup, provider, first)
    with django_assert_num_queries(list_queries()):
        response = client.get(reverse("trials:list"))
    assert response.context["page"].paginator.count == 7
    with django_assert_num_queries(list_queries(kept=True)):
        again = client.get(reverse("trials:list"))
    assert again.content == response.content


def test_trial_list_past_the_ids_cap_counts_and_pages_the_same(
    client, startup, provider, active_trial, monkeypatch, django_assert_num_queries
):
    """More trials than ``paginate_ids`` reads at once: the count and the page are
    queries of their own (two more), and the page shows the same rows in the same order."""
    for first in range(30, 60, 5):
        another_trial(startup, provider, first)
    client.force_login(startup.user)
    url = reverse("trials:list")
    within = client.get(url)
    monkeypatch.setattr("core.pagination.IDS_CAP", 3)
    # Past the cap on PostgreSQL the one-statement read (trials.visible_ids) comes first.
    past_the_cap = LIST_QUERIES + 2 + (1 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(past_the_cap):
        past = client.get(url)
    for response in (within, past):
        assert response.context["page"].paginator.count == 7
        assert "7 trials" in response.content.decode()
    order = list(within.context["page"])  # the page holds the ids; the rows are HTML
    assert list(past.context["page"]) == order
    newest_first = selectors.trials_visible_to(startup.user).order_by("-created_at", "-id")
    assert order == list(newest_first.values_list("pk", flat=True))
    assert past.content == within.content


def test_trial_list_rows_show_what_the_page_shows(client, startup, active_trial):
    """What a row shows is read with the page's rows (``selectors.list_rows``), and its
    link is the trial's own."""
    client.force_login(startup.user)
    html = client.get(reverse("trials:list")).content.decode()
    trial = active_trial
    assert f'<a class="govuk-link" href="{trial.get_absolute_url()}">' in html
    for text in (
        trial.title,
        trial.programme.name,
        trial.organisation.name,
        trial.testbed.name,
        trial.testbed.organisation.name,
        trial.get_status_display(),
    ):
        assert escape(text) in html


# The row loop trials/list.html had before its rows were built in Python.
ROWS_TEMPLATE = """{% load i18n %}{% translate "Trial" as trial_label %}{% translate "Start-up" as startup_label %}{% translate "Test bed" as testbed_label %}{% translate "Dates" as dates_label %}{% translate "Status" as status_label %}{% for trial in trials %}
  <tr class="govuk-table__row">
    <td class="govuk-table__cell" data-label="{{ trial_label }}"><a class="govuk-link" href="{{ trial.get_absolute_url }}">{{ trial.title }}</a>{% if trial.programme %}<br><span class="govuk-body-s">{{ trial.programme.name }}</span>{% endif %}</td>
    <td class="govuk-table__cell" data-label="{{ startup_label }}">{{ trial.organisation.name }}</td>
    <td class="govuk-table__cell" data-label="{{ testbed_label }}">{{ trial.testbed.name }}<br><span class="govuk-body-s">{{ trial.testbed.organisation.name }}</span></td>
    <td class="govuk-table__cell" data-label="{{ dates_label }}">{{ trial.booking.start|date:"j M Y" }} – {{ trial.booking.last_day|date:"j M Y" }}</td>
    <td class="govuk-table__cell" data-label="{{ status_label }}"><strong class="govuk-tag app-status-tag {{ trial.status_tag_class }}">{{ trial.get_status_display }}</strong></td>
  </tr>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "cy"])
def test_trial_list_rows_are_the_templates_markup(
    client, startup, provider, other_startup, active_trial, language
):
    """``trials.list_html`` makes what the template loop made, byte for byte, in English
    and in Welsh, with and without a programme, with text that needs escaping."""
    from django.template import engines
    from django.utils import translation

    from trials.list_html import rows_html

    plain = another_trial(startup, provider, 40)
    plain.title = 'Robots & "sensors" <b>'
    plain.save(update_fields=["title"])
    assert plain.programme_id is None
    trials = selectors.list_rows([plain.pk, active_trial.pk])
    for trial in trials:
        trial.url = trial.get_absolute_url()
    with translation.override(language):
        expected = engines["django"].from_string(ROWS_TEMPLATE).render({"trials": trials})
        assert str(rows_html(trials)) == expected
    assert "Robots &amp; &quot;sensors&quot; &lt;b&gt;" in expected


@pytest.mark.parametrize("who", ["startup", "provider"])
def test_trial_page_queries_do_not_grow_with_what_the_trial_holds(
    client, startup, provider, active_trial, who, django_assert_num_queries
):
    member = {"startup": startup, "provider": provider}[who]
    client.force_login(member.user)
    url = reverse("trials:detail", args=[active_trial.pk])
    cache.clear()
    fill(active_trial, startup, provider, kpis=1)
    with django_assert_num_queries(trial_page_queries(who)):
        assert client.get(url).status_code == 200
    fill(active_trial, startup, provider, kpis=3)
    with django_assert_num_queries(trial_page_queries(who)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="govuk-summary-card"') == 4
    if connection.vendor == "postgresql":
        with django_assert_num_queries(BODY_KEPT_ON_POSTGRES[who]):
            again = client.get(url)
        assert again.content.decode().count('class="govuk-summary-card"') == 4


def test_everyone_sees_only_their_trials(
    client, startup, provider, other_startup, officer, active_trial
):
    theirs = another_trial(other_startup, provider, 40)
    for member, expected in (
        (startup, {active_trial.pk}),
        (other_startup, {theirs.pk}),
        (provider, {active_trial.pk, theirs.pk}),
        (officer, {active_trial.pk}),
    ):
        client.force_login(member.user)
        page = client.get(reverse("trials:list")).context["page"]
        assert set(page) == expected  # the page holds the ids of its trials
        assert set(selectors.trials_visible_to(member.user).values_list("pk", flat=True)) == (
            expected
        )
        for trial in (active_trial, theirs):
            status = client.get(reverse("trials:detail", args=[trial.pk])).status_code
            assert status == (200 if trial.pk in expected else 404)
