"""AWS SDK for Go v2 driver: the SDK in a Go helper (harness/drivers/awsgo/helper/main.go), one process per run,
spoken to in JSON lines (harness/drivers/helper.py). Built offline from Debian's SDK sources (build.py).

One variant, ``defaults``: ``s3.New(s3.Options{Region, Credentials, EndpointResolver: EndpointResolverFromURL(url),
UsePathStyle})`` with retries off; the SDK adds ``?x-id=<Operation>`` to object URLs. Presigned URLs are SigV4;
the SDK cannot sign for a past time (no expired URL).
SDK: https://github.com/aws/aws-sdk-go-v2/tree/main/service/s3
"""

from __future__ import annotations

import subprocess

from harness.drivers.awsgo.build import ensure_built
from harness.drivers.base import inner_of
from harness.drivers.helper import HelperDriver, helper_reproduction
from harness.steps import ListObjects, Step


class AwsGoDriver(HelperDriver):
    name = "awsgo"
    # the SDK's PutObject serializer sends Content-Type: application/octet-stream when none is given
    # (service/s3/serializers.go)
    default_content_type = "application/octet-stream"

    def adapt_client(self, step: Step) -> Step | str:
        inner = inner_of(step)
        if isinstance(inner, ListObjects) and inner.max_keys == 0:
            # SDK 1.17's ListObjectsInput.MaxKeys is an int32 whose zero value means "not set": the serializer omits
            # it (service/s3/serializers.go: `if v.MaxKeys != 0`), so max-keys=0 cannot be sent
            return "the Go SDK cannot send max-keys=0 (its zero value means unset)"
        return super().adapt_client(step)

    def helper_command(self) -> tuple[list[str], dict]:
        return [ensure_built()], {}

    def version(self) -> str:
        if self._version is None:
            v = [_module_version(m) for m in ("aws", "service/s3")]
            go = subprocess.run(["go", "version"], capture_output=True, text=True, timeout=30).stdout.strip()
            self._version = f"aws-sdk-go-v2 {v[0]} / service/s3 {v[1]} ({go})"
        return self._version

    def client_settings(self) -> dict:
        return {"options": "s3.Options{EndpointResolver: s3.EndpointResolverFromURL(endpoint), UsePathStyle: "
                           f"{str(self.target.addressing_style == 'path').lower()}, Retryer: aws.NopRetryer{{}}}}"}

    def reproduction(self, step: Step) -> str:
        return helper_reproduction(self, step, "python -m harness.drivers.awsgo.build && .build/awsgo-helper")


def _module_version(module: str) -> str:
    path = f"/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/{module}/go_module_metadata.go"
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().split('goModuleVersion = "')[1].split('"')[0]
    except (OSError, IndexError):
        return "?"
