from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def failing_database(*args, **kwargs):
    raise OperationalError("could not connect to server: Connection refused")


@pytest.mark.parametrize("path", ["/testbeds/", "/api/v1/testbeds/"])
def test_database_outage_answers_503_without_a_traceback(path):
    client = Client(raise_request_exception=False)
    with mock.patch("testbeds.selectors.TestBed.objects.filter", side_effect=failing_database):
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Traceback" not in body
    assert "Connection refused" not in body
    assert "try again" in body


def test_other_errors_are_a_plain_500():
    client = Client(raise_request_exception=False)
    with mock.patch("core.views.render", side_effect=RuntimeError("boom")):
        response = client.get("/about/")
    assert response.status_code == 500
    assert "boom" not in response.content.decode()


def test_not_found_and_permission_pages_are_in_the_service_frame(client, startup):
    assert "Page not found" in client.get("/no-such-page/").content.decode()
    client.force_login(startup.user)
    response = client.get("/testbeds/new/")
    assert response.status_code == 403
    assert "Switch to a public body" in response.content.decode()


def test_permissions_policy_header(client):
    assert "camera=()" in client.get("/").headers["Permissions-Policy"]
