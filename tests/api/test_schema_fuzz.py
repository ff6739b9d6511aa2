"""schemathesis against the live schema, in-process: every operation, as every demo role.

The schema is fetched from /api/schema/ and each case is sent through Django's WSGI
handler (no server), authenticated with a personal API token of each demo role and
without credentials. Path parameters are drawn both at random (mostly 404s) and from the
demo data's real ids and slugs, so the operations run on real trials, KPIs and packs in
every state. Hypothesis runs derandomized with a fixed budget, so a run is repeatable.
Checks: no 5xx, documented status codes and content types, bodies that match the schema.
"""

import io
import os
import sys
import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Programme, User
from accounts.tokens import token_create
from adoption.models import ImpactReport
from challenges.models import Application, Challenge
from testbeds.models import TestBed
from trials.models import (
    ChangeRequest,
    EvidenceFile,
    EvidencePack,
    Kpi,
    LogEntry,
    Measurement,
    Trial,
)

# Examples per operation and role. API_FUZZ_SCALE=5 runs a deeper (slower) search.
SCALE = float(os.environ.get("API_FUZZ_SCALE", "1"))
RANDOM_EXAMPLES = round(4 * SCALE)  # path parameters at random (mostly 404s)
REAL_EXAMPLES = round(8 * SCALE)  # path parameters from the demo data
NEGATIVE_EXAMPLES = round(4 * SCALE)  # invalid input (and real path parameters)
# (e-mail, share of the budget); None: no credentials, where nearly everything answers 401.
ROLES = [
    ("provider@demo.test", 1),
    ("startup@demo.test", 1),
    ("officer@demo.test", 1),
    ("admin@demo.test", 1),
    ("assessor@demo.test", 1),
    ("partner@demo.test", 1),
    (None, 0.5),
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def real_ids() -> dict[str, list]:
    """Real values for each path's parameter, by the path's first segment."""
    return {
        "trials": list(Trial.objects.order_by("id").values_list("id", flat=True)),
        "kpis": list(Kpi.objects.order_by("id").values_list("id", flat=True)),
        "measurements": list(Measurement.objects.order_by("id").values_list("id", flat=True)),
        "log-entries": list(LogEntry.objects.order_by("id").values_list("id", flat=True)),
        "files": list(EvidenceFile.objects.order_by("id").values_list("id", flat=True)),
        "evidence-packs": list(EvidencePack.objects.order_by("id").values_list("id", flat=True)),
        "programmes": list(Programme.objects.order_by("id").values_list("id", flat=True)),
        "change-requests": list(ChangeRequest.objects.order_by("id").values_list("id", flat=True)),
        "testbeds": list(TestBed.objects.order_by("id").values_list("slug", flat=True)),
        "challenges": list(Challenge.objects.order_by("id").values_list("slug", flat=True)),
        "applications": list(Application.objects.order_by("id").values_list("id", flat=True)),
        "impact-reports": list(ImpactReport.objects.order_by("id").values_list("id", flat=True)),
    }


def strategies(operation, ids: dict[str, list], share: float = 1):
    """(strategy, budget) pairs for an operation."""
    parameters = [p.name for p in operation.path_parameters]
    if not parameters:
        return [
            (operation.as_strategy(), budget(RANDOM_EXAMPLES + REAL_EXAMPLES, share)),
            (operation.as_strategy(GenerationMode.NEGATIVE), budget(NEGATIVE_EXAMPLES, share)),
        ]
    segment = operation.path.split("/")[3]
    values = ids.get(segment) or []
    pairs = [(operation.as_strategy(), budget(RANDOM_EXAMPLES, share))]
    if values and len(parameters) == 1:
        for mode, examples in (
            (GenerationMode.POSITIVE, REAL_EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            real = st.sampled_from(values).flatmap(
                lambda value, mode=mode: operation.as_strategy(
                    mode, path_parameters={parameters[0]: value}
                )
            )
            pairs.append((real, budget(examples, share)))
    return pairs


def budget(examples: int, share: float) -> int:
    return max(1, round(examples * share))


def run_cases(strategy, budget: int, headers: dict, stats: dict) -> None:
    @given(case=strategy)
    @hypothesis_settings(
        max_examples=budget,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        stats["cases"] += 1
        response = case.call(headers=headers)
        stats["statuses"][response.status_code] = stats["statuses"].get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_operation_as_every_role(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("anon", "user", "ip", "write"), "100000/min"),
    }
    call_command("seed_demo", stdout=io.StringIO())
    application = WSGIHandler()  # built now, so its middleware sees the test settings
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    ids = real_ids()
    failures = []
    stats = {"operations": len(operations), "cases": 0, "statuses": {}}
    seconds: dict[str, float] = {}
    started = time.time()
    for email, share in ROLES:
        headers = {}
        if email:
            _, plain = token_create(actor=User.objects.get(email=email), name="fuzz", scope="write")
            headers = {"Authorization": f"Bearer {plain}"}
        for operation in operations:
            began = time.time()
            for strategy, examples in strategies(operation, ids, share):
                try:
                    run_cases(strategy, examples, headers, stats)
                except BaseException as error:  # noqa: BLE001 — collect them all, then fail
                    if isinstance(error, KeyboardInterrupt):
                        raise
                    failures.append(f"as {email or 'anonymous'}: {operation.label}\n{error}")
            seconds[operation.label] = seconds.get(operation.label, 0) + time.time() - began
    stats["seconds"] = round(time.time() - started)
    stats["slowest"] = {
        label: round(spent, 1) for label, spent in sorted(seconds.items(), key=lambda x: -x[1])[:5]
    }
    sys.stdout.write(f"schemathesis: {stats}\n")  # shown with -s
    assert not failures, f"{len(failures)} failures\n\n" + "\n\n".join(failures)
