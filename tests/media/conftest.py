"""An S3 API served over HTTP on 127.0.0.1 by a separate process — moto's standalone server
(``moto[server]``, pinned in requirements-dev.txt) — and Django's media storage pointed at a
fresh bucket in it, configured exactly as production configures it from S3_* variables.

Without moto the media tests skip; with ``REQUIRE_SERVICES=1`` (CI) they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from config.settings import s3_storage_from_environment
from tests.faults.servers import free_port, stop_process, tail, unavailable
from tests.integration.conftest import completed_pack_trial  # noqa: F401 — fixture
from tests.trials.conftest import active_trial, programme  # noqa: F401 — fixtures


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """``{"endpoint": "http://127.0.0.1:<port>"}`` of a moto server started for this run."""
    binary = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which(
        "moto_server"
    )
    if binary is None:
        unavailable("moto_server (pip install 'moto[server]') is not installed")
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("ab") as handle:
        process = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(port)],
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        import http.client

        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                unavailable(f"moto_server exited at start:\n{tail(log)}")
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/")
                if connection.getresponse().status < 500:
                    break
            if time.monotonic() > deadline:
                unavailable(f"moto_server did not answer within 30 s:\n{tail(log)}")
            time.sleep(0.1)
        yield {"endpoint": endpoint, "process": process, "log": log}
    finally:
        stop_process(process)


S3_ENV = {
    "S3_REGION": "eu-west-2",
    "S3_ACCESS_KEY_ID": "tbx-test-key",
    "S3_SECRET_ACCESS_KEY": "tbx-test-secret",
}


@pytest.fixture
def s3_media(s3_server, settings):
    """Media storage in a new private bucket of the S3 server, set up from S3_* variables as
    in production; yields a boto3 client and the bucket name for looking behind the app."""
    import boto3

    bucket = f"tbx-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server["endpoint"],
        region_name=S3_ENV["S3_REGION"],
        aws_access_key_id=S3_ENV["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_ENV["S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_ENV["S3_REGION"]}
    )
    storage = s3_storage_from_environment(
        {**S3_ENV, "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_server["endpoint"]}
    )
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    yield {"client": client, "bucket": bucket, "endpoint": s3_server["endpoint"]}


def keys(s3_media) -> list[str]:
    listing = s3_media["client"].list_objects_v2(Bucket=s3_media["bucket"])
    return sorted(item["Key"] for item in listing.get("Contents", []))
