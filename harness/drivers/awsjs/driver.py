"""AWS SDK for JavaScript v3 driver: ``@aws-sdk/client-s3`` (npm, pinned by package-lock.json) in a node helper
(helper.mjs), one process per run, spoken to in JSON lines (harness/drivers/helper.py).

Variants:
  defaults       ``new S3Client({endpoint, region, credentials, forcePathStyle})``: the SDK's checksum defaults
                 (``WHEN_SUPPORTED``: a CRC32 checksum on every upload)
  when_required  ``requestChecksumCalculation: "WHEN_REQUIRED"``, ``responseChecksumValidation: "WHEN_REQUIRED"``
The SDK adds ``?x-id=<Operation>`` to object URLs; ``ListObjectsCommand`` is ListObjects v1. Retries are off
(``maxAttempts: 1``). The proxy goes through http(s)-proxy-agent (node ignores HTTP(S)_PROXY).
SDK: https://github.com/aws/aws-sdk-js-v3/tree/main/clients/client-s3
"""

from __future__ import annotations

import json
import os
import shutil

from harness.drivers.helper import HelperDriver, helper_reproduction
from harness.steps import Step

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
NODE = shutil.which("node") or "node"


class AwsJsDriver(HelperDriver):
    name = "awsjs"
    # the SDK sends Content-Type: application/octet-stream for a PutObject without ContentType
    default_content_type = "application/octet-stream"

    def helper_command(self) -> tuple[list[str], dict]:
        if not os.path.isdir(os.path.join(ROOT, "node_modules", "@aws-sdk", "client-s3")):
            from harness.drivers.helper import HelperError

            raise HelperError("@aws-sdk/client-s3 is not installed: run scripts/install-clients.sh (npm ci)")
        from harness.wire.recorder import shared_ca

        # https-proxy-agent does not pass a per-client `ca` to the tunnelled TLS connection: node trusts the
        # recorders' one CA through NODE_EXTRA_CA_CERTS instead
        env = {"NODE_NO_WARNINGS": "1", "NODE_EXTRA_CA_CERTS": shared_ca()[1]}
        return [NODE, os.path.join(HERE, "helper.mjs")], env

    def client_config(self, route, kind: str) -> dict:
        cfg = super().client_config(route, kind)
        if self.variant == "when_required":
            cfg["checksums"] = "WHEN_REQUIRED"
        return cfg

    def version(self) -> str:
        if self._version is None:
            try:
                with open(os.path.join(ROOT, "node_modules", "@aws-sdk", "client-s3", "package.json")) as f:
                    v = json.load(f)["version"]
            except (OSError, ValueError, KeyError):
                v = "not installed"
            self._version = f"@aws-sdk/client-s3 {v} (node {_node_version()})"
        return self._version

    def client_settings(self) -> dict:
        opts = {"forcePathStyle": self.target.addressing_style == "path", "maxAttempts": 1}
        if self.variant == "when_required":
            opts.update(requestChecksumCalculation="WHEN_REQUIRED", responseChecksumValidation="WHEN_REQUIRED")
        return {"S3Client": opts}

    def reproduction(self, step: Step) -> str:
        return helper_reproduction(self, step, "npm ci && node harness/drivers/awsjs/helper.mjs")


def _node_version() -> str:
    import subprocess

    try:
        return subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "?"
