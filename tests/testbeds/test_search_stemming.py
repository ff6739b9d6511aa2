"""Search on the default set-up stems words like PostgreSQL does (issue 22, point 6): SQLite
uses an FTS5 index with the porter tokenizer over the English and Welsh text."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import TestBedFactory

pytestmark = pytest.mark.django_db


def found(client, q: str) -> list[str]:
    response = client.get(reverse("testbeds:catalogue"), {"q": q})
    assert response.status_code == 200
    return sorted(t.name for t in response.context["page"])


@pytest.fixture
def seafront():
    return TestBedFactory(
        name="Seafront sensor trail",
        summary="A lamppost network along the promenade.",
        description="Twenty connected lampposts between the pier and the harbour.",
        name_cy="Llwybr synwyryddion glan y môr",
        summary_cy="Rhwydwaith o bolion lamp ar hyd y promenâd.",
    )


@pytest.mark.parametrize(
    "q",
    ["promenades", "promenade", "lamppost", "lampposts", "Lampposts PROMENADES", "piers harbours"],
)
def test_word_forms_match_as_on_postgresql(client, seafront, q):
    assert found(client, q) == ["Seafront sensor trail"]


def test_every_word_must_match(client, seafront):
    assert found(client, "promenade oximeters") == []


def test_welsh_fields_still_match(client, seafront):
    assert found(client, "bolion") == ["Seafront sensor trail"]
    assert found(client, "Rhwydwaith") == ["Seafront sensor trail"]
    assert found(client, "promenad") == ["Seafront sensor trail"]  # diacritics ignored


def test_the_index_follows_edits_and_deletions(client, seafront):
    seafront.description = "Benches and bins along the esplanade."
    seafront.summary = "Street furniture."
    seafront.save()
    assert found(client, "esplanades") == ["Seafront sensor trail"]
    assert found(client, "lampposts") == []
    seafront.delete()
    assert found(client, "esplanade") == []


@pytest.mark.parametrize("q", ['"', 'lamp" OR "x', "NEAR(a b)", "*", "a:b", "-promenade", "^x"])
def test_search_syntax_typed_in_the_box_is_text_not_fts_syntax(client, seafront, q):
    response = client.get(reverse("testbeds:catalogue"), {"q": q})
    assert response.status_code == 200
    api = client.get("/api/v1/testbeds/", {"q": q})
    assert api.status_code == 200


def test_the_api_search_stems_too(client, seafront):
    response = client.get("/api/v1/testbeds/", {"q": "promenades"})
    assert [row["name"] for row in response.json()["results"]] == ["Seafront sensor trail"]


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_uses_the_porter_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'testbeds_testbed_fts'")
        (sql,) = cursor.fetchone()
    assert "porter" in sql
