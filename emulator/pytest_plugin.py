"""A pytest plugin (entry point `s3_emulator`): fixtures that give a test a running emulator and a boto3 client,
the way `moto.mock_aws` is used, but over real HTTP so any client in the test (boto3, s3cmd, the AWS CLI) works.

    def test_upload(s3_client):
        s3_client.put_object(Bucket="test-bucket", Key="k", Body=b"x")

Each test gets a fresh emulator (in memory, a few milliseconds to start) with one bucket, ``test-bucket``.
Server-side bugs surface as a failure of the test that caused them.
"""

from __future__ import annotations

import secrets

import pytest

from .emulator import Emulator

BUCKET = "test-bucket"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("s3-emulator")
    group.addoption(
        "--s3-emulator-tls",
        action="store_true",
        default=False,
        help="serve the s3_emulator fixture over HTTPS (its CA is at s3_emulator.ca_file)",
    )


@pytest.fixture
def s3_emulator(request: pytest.FixtureRequest):
    """A running emulator with bucket ``test-bucket`` owned by a fresh random credential."""
    access_key = "AKIA" + secrets.token_hex(8).upper()
    with Emulator(
        buckets=[BUCKET],
        credentials=[(access_key, secrets.token_urlsafe(30))],
        tls=request.config.getoption("--s3-emulator-tls"),
    ) as emulator:
        yield emulator


@pytest.fixture
def s3_client(s3_emulator: Emulator):
    """A boto3 S3 client for ``s3_emulator``: path style, region us-east-1, no retries."""
    import boto3
    from botocore.config import Config

    account = s3_emulator.accounts[0]
    client = boto3.client(
        "s3",
        endpoint_url=s3_emulator.endpoint_url,
        region_name=s3_emulator.config.region,
        aws_access_key_id=account.access_key,
        aws_secret_access_key=account.secret_key,
        verify=s3_emulator.ca_file or True,
        config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}),
    )
    yield client
    client.close()
