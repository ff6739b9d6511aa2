"""No entry point answers 5xx to edge values (issue 21: the sweep).

Every page (from the URL resolver) and every API operation (from the OpenAPI schema) that
takes dates, numbers or JSON gets edge values — 9999-12-31, 0001-01-01, -1, 1e308, huge
integers, NaN, empty, deeply nested JSON — on the demo data, as the role that can reach it.

- Pages: each URL pattern is filled with real ids and slugs of the demo data. GET with
  every known filter parameter set to each edge value (also as split day/month/year);
  POST with every field of the page's own form (read from its HTML) set to each edge value.
- API: each operation of /api/schema/ with its query parameters and its JSON body's
  properties set to edge values by type, and with nested and non-object bodies.

Any 5xx fails the test, listing each (method, path, what was sent, status).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from accounts.models import Organisation, Programme, User
from challenges.models import Application, Challenge
from testbeds.models import TestBed
from trials.models import ChangeRequest, EvidenceFile, EvidencePack, Kpi, Trial

pytestmark = [pytest.mark.django_db]

# Each value goes to every field at once (one request per value and entry point).
EDGE_VALUES = ["9999-12-31", "0001-01-01", "-1", "1e308", "NaN", "9" * 40, ""]
DATE_PARAMS = [
    "available_from",
    "available_to",
    "from",
    "to",
    "period_start",
    "period_end",
    "month",
    "date",
    "first_day",
    "last_day",
]
NUMBER_PARAMS = ["min_days", "trl", "page", "page_size", "programme", "year", "capacity"]
# Pages not worth sweeping, or that end the session the sweep runs in.
SKIP = ("logout", "account_delete", "admin:", "set_language", "language", "media/")
NESTED = json.loads("[" * 200 + "]" * 200)


def _patterns(resolver: URLResolver | None = None, prefix: str = "", ns: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{ns}{entry.namespace}:" if entry.namespace else ns
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{ns}{entry.name or ''}"


def real_values() -> dict[str, str]:
    trial = Trial.objects.order_by("id").first()
    pack = EvidencePack.objects.order_by("id").first()
    application = Application.objects.order_by("id").first()
    return {
        "trial": str(trial.pk) if trial else "1",
        "pack": str(pack.pk) if pack else "1",
        "pack_trial": str(pack.trial_id) if pack else "1",
        "kpi": str(Kpi.objects.order_by("id").values_list("id", flat=True).first() or 1),
        "file": str(EvidenceFile.objects.order_by("id").values_list("id", flat=True).first() or 1),
        "change": str(
            ChangeRequest.objects.order_by("id").values_list("id", flat=True).first() or 1
        ),
        "programme": str(Programme.objects.order_by("id").values_list("id", flat=True).first()),
        "testbed": TestBed.objects.order_by("id").values_list("slug", flat=True).first(),
        "challenge": application.challenge.slug
        if application
        else Challenge.objects.order_by("id").values_list("slug", flat=True).first(),
        "application": str(application.pk) if application else "1",
        "organisation": Organisation.objects.order_by("id").values_list("slug", flat=True).first(),
    }


def fill(route: str, real: dict[str, str]) -> str | None:
    """The route with its parameters replaced by real values; None if one is unknown."""
    path = route.lstrip("^").rstrip("$")
    if path.startswith("trials/") and "<int:pack_pk>" in path:
        path = path.replace("<int:pk>", real["pack_trial"])
    replacements = {
        "<int:pk>": real["trial"]
        if path.startswith("trials/")
        else real["programme"]
        if path.startswith("programmes/")
        else real["application"]
        if "applications/" in path
        else "1",
        "<int:kpi_pk>": real["kpi"],
        "<int:pack_pk>": real["pack"],
        "<int:file_pk>": real["file"],
        "<int:change_pk>": real["change"],
        "<slug:slug>": real["challenge"]
        if path.startswith("challenges/")
        else real["organisation"]
        if path.startswith("organisations/")
        else real["testbed"],
    }
    for token, value in replacements.items():
        path = path.replace(token, value)
    if "<" in path or "(?P" in path:
        return None
    return "/" + path


def page_routes() -> list[str]:
    real = real_values()
    routes = []
    for route, name in _patterns():
        if route.startswith(("api/", "admin/", "static/")) or any(s in name for s in SKIP):
            continue
        path = fill(route, real)
        if path:
            routes.append(path)
    return sorted(set(routes))


def field_names(html: str) -> list[str]:
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))
    return sorted(names - {"csrfmiddlewaretoken"})


def query_with(value: str) -> dict[str, str]:
    query = dict.fromkeys(DATE_PARAMS + NUMBER_PARAMS, value)
    for name in DATE_PARAMS:
        for part in ("day", "month", "year"):
            query[f"{name}_{part}"] = value
    return query


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    clients = {}
    for email in ("startup@demo.test", "provider@demo.test", "officer@demo.test"):
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(email=email))
        clients[email] = client
    clients["anonymous"] = Client(raise_request_exception=False)
    return clients


def _reachable(clients: dict[str, Client], path: str) -> tuple[Client, str] | None:
    """The first role whose GET of the page answers 200, with the page's HTML."""
    for client in clients.values():
        response = client.get(path)
        if response.status_code == 200 and not response.streaming:
            return client, response.content.decode(errors="replace")
    return None


def test_pages_answer_edge_values_without_5xx(demo):
    failures = []
    swept = 0
    for path in page_routes():
        found = _reachable(demo, path)
        client = demo["anonymous"] if found is None else found[0]
        for value in EDGE_VALUES if found else EDGE_VALUES[:1]:
            response = client.get(path, query_with(value))
            if response.status_code >= 500:
                failures.append(("GET", path, value, response.status_code))
        if found is None:
            continue
        client, html = found
        names = field_names(html)
        if not names:
            continue
        swept += 1
        for value in EDGE_VALUES:
            response = client.post(path, dict.fromkeys(names, value))
            if response.status_code >= 500:
                failures.append(("POST", path, value, response.status_code))
            # Reload: a POST may have moved the object on (that is fine, not a 5xx).
    assert swept > 25, swept
    assert failures == []


def _schema(client: Client) -> dict:
    return client.get("/api/schema/", {"format": "json"}).json()


def _edge_for(schema: dict, value: str):
    kind = schema.get("type")
    if schema.get("format") == "date" or kind == "string":
        return value
    if kind in ("integer", "number"):
        try:
            return json.loads(value) if value not in ("", "NaN") else value
        except ValueError:
            return value
    if kind == "array":
        return [value] * 3
    if kind == "object":
        return {"a": NESTED, "b": value}
    if kind == "boolean":
        return value
    return value


def _body_schema(spec: dict, operation: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    schema = media.get("schema", {})
    ref = schema.get("$ref")
    if ref:
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema.get("properties", {})


def _api_path(template: str, real: dict[str, str]) -> str:
    first = template.split("/")[3] if template.count("/") > 3 else ""
    values = {
        "trials": real["trial"],
        "kpis": real["kpi"],
        "files": real["file"],
        "evidence-packs": real["pack"],
        "programmes": real["programme"],
        "change-requests": real["change"],
        "testbeds": real["testbed"],
        "challenges": real["challenge"],
        "applications": real["application"],
        "measurements": "1",
        "impact-reports": "1",
    }
    return re.sub(r"\{[^}]+\}", values.get(first, "1"), template)


def test_api_answers_edge_values_without_5xx(demo):
    spec = _schema(demo["anonymous"])
    real = real_values()
    failures = []
    swept = 0
    clients = [demo[e] for e in ("startup@demo.test", "provider@demo.test", "officer@demo.test")]
    for template, operations in spec["paths"].items():
        path = _api_path(template, real)
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch"):
                continue
            params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            properties = _body_schema(spec, operation) if method != "get" else {}
            if not params and not properties and method == "get":
                continue
            swept += 1
            for value in EDGE_VALUES:
                query = {p["name"]: value for p in params}
                body = {name: _edge_for(schema, value) for name, schema in properties.items()}
                for client in clients:
                    call = getattr(client, method)
                    if method == "get":
                        response = call(path, query)
                    else:
                        response = call(
                            path
                            + (
                                "?" + "&".join(f"{k}={v}" for k, v in query.items())
                                if query
                                else ""
                            ),
                            json.dumps(body, allow_nan=True),
                            content_type="application/json",
                        )
                    if response.status_code >= 500:
                        failures.append((method, path, value, response.status_code))
            if method != "get":
                for raw in ("[]", "null", "1e999", "NaN", '"x"', json.dumps(NESTED), "{" * 5000):
                    response = getattr(clients[0], method)(
                        path, raw, content_type="application/json"
                    )
                    if response.status_code >= 500:
                        failures.append((method, path, raw[:20], response.status_code))
    assert swept > 40, swept
    assert failures == []
