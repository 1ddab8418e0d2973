"""Client-configuration matrix: boto3 checksum modes x addressing x scheme; s3cmd with and without
--disable-multipart above 15 MiB and with bucket_location unset; aws s3 vs s3api; boto3 upload_file default vs
tuned; presigned URLs s3v4 vs the default (SigV2, refused)."""

from __future__ import annotations

import pytest

from harness.drivers.registry import CLIENTS, matrix_clients
from harness.model import BucketModel, Expected
from harness.scenario import ensure_object, exchange_observation, operations_sent
from harness.steps import Delete, Download, Get, Head, ListObjects, Presigned, Put, Unsupported, Upload
from harness.strategies import pattern_body

pytestmark = pytest.mark.group("config-matrix")

MIB = 1024 * 1024
BIG = 20 * MIB
AVOID = {
    ("s3cmd", "multipart"): "s3cmd put above 15 MiB goes multipart: use --disable-multipart (enable_multipart = False)",
    ("awscli", "s3"): "aws s3 cp above 8 MiB goes multipart: set s3.multipart_threshold = 5GB (variant s3-tuned)",
    ("boto3", "upload"): "boto3 upload_file above 8 MiB goes multipart: TransferConfig(multipart_threshold=5 GiB)",
}


def judge_transfer(chk, step, target, model, avoid: str):
    """A transfer that went multipart is judged as the unsupported CreateMultipartUpload (limitation if refused
    cleanly); one that stayed a single PUT is judged as a Put against the model."""
    adapted, obs = chk.run_raw(step)
    if obs is None:
        return
    mp = exchange_observation(obs, "CreateMultipartUpload", target.endpoint_url)
    if mp is not None:
        chk.notes = avoid
        chk.judge(Unsupported("CreateMultipartUpload", step.key), mp, unsupported=True)
    else:
        chk.judge(adapted, obs, expected=model.apply(adapted))


@pytest.mark.all_addressing
@pytest.mark.parametrize("variant", ["when_supported", "when_required", "when_supported+signed"])
def test_boto3_checksum_modes(harness, target, variant):
    if "boto3" not in harness.drivers:
        pytest.skip("--driver excludes boto3")
    driver = harness.driver("boto3", target.with_prefix(f"matrix-boto3-{variant}/"), variant)
    model = BucketModel.for_target(driver.target)
    with harness.check(group="config-matrix", scenario="boto3-checksum-mode", driver=driver) as chk:
        for size in (0, 1, MIB + 3, 3 * MIB):
            chk.step(Put(f"obj-{size}", pattern_body(size, 5), "text/plain"), model=model)
            chk.step(Get(f"obj-{size}"), model=model)
        chk.step(Get(f"obj-{MIB + 3}", range="bytes=1048570-"), model=model)


@pytest.mark.parametrize("variant", ["doc", "multipart"])
def test_s3cmd_large_put(harness, target, variant):
    """s3cmd put of a 20 MiB file, with the doc's --disable-multipart (single PUT) and without (multipart)."""
    if "s3cmd" not in harness.drivers:
        pytest.skip("--driver excludes s3cmd")
    driver = harness.driver("s3cmd", target.with_prefix(f"matrix-s3cmd-{variant}/"), variant)
    model = BucketModel.for_target(driver.target)
    with harness.check(group="config-matrix", scenario="s3cmd-put-20MiB", driver=driver) as chk:
        judge_transfer(chk, Upload("big.bin", pattern_body(BIG, 9)), driver.target, model,
                       AVOID[("s3cmd", "multipart")])
        if variant == "doc":
            chk.step(Get("big.bin"), model=model)


def test_s3cmd_bucket_location_unset(harness, target):
    """With bucket_location unset s3cmd first sends GET /b/?location; refused with 501 it must carry on."""
    if "s3cmd" not in harness.drivers:
        pytest.skip("--driver excludes s3cmd")
    driver = harness.driver("s3cmd", target.with_prefix("matrix-s3cmd-location/"), "location-unset")
    model = BucketModel.for_target(driver.target)
    with harness.check(group="config-matrix", scenario="s3cmd-location-unset-ls", driver=driver) as chk:
        res = chk.step(ListObjects("", "/"), model=model)
    if res.obs is None:
        return
    probe = exchange_observation(res.obs, "GetBucketLocation", driver.target.endpoint_url)
    with harness.check(group="config-matrix", scenario="s3cmd-location-probe", driver=driver,
                       notes="set bucket_location = us-east-1 to avoid the probe") as chk:
        if probe is None:
            chk.not_applicable(Unsupported("GetBucketLocation"), "s3cmd sent no ?location request")
        else:
            chk.judge(Unsupported("GetBucketLocation"), probe, unsupported=True)


@pytest.mark.parametrize("variant", ["s3", "s3-tuned"])
def test_aws_s3_high_level(harness, target, variant):
    """`aws s3 cp/ls/rm` as a user types them: ls needs ListObjectsV2, cp above 8 MiB needs multipart."""
    if "awscli" not in harness.drivers:
        pytest.skip("--driver excludes awscli")
    driver = harness.driver("awscli", target.with_prefix(f"matrix-aws-{variant}/"), variant)
    model = BucketModel.for_target(driver.target)
    with harness.check(group="config-matrix", scenario="aws-s3-cp-small", driver=driver) as chk:
        chk.step(Put("small.txt", pattern_body(1000, 2), "text/plain"), model=model)
        chk.step(Get("small.txt"), model=model)
    with harness.check(group="config-matrix", scenario="aws-s3-cp-20MiB", driver=driver) as chk:
        judge_transfer(chk, Upload("big.bin", pattern_body(BIG, 4)), driver.target, model, AVOID[("awscli", "s3")])
    if variant == "s3":
        with harness.check(group="config-matrix", scenario="aws-s3-ls", driver=driver,
                           notes="aws s3 ls always sends ListObjectsV2: use aws s3api list-objects") as chk:
            adapted, obs = chk.run_raw(ListObjects("", None, None, None, True))
            if obs is not None:
                v2 = exchange_observation(obs, "ListObjectsV2", driver.target.endpoint_url)
                if v2 is not None:
                    chk.judge(Unsupported("ListObjectsV2"), v2, unsupported=True)
                else:
                    chk.judge(adapted, obs, expected=model.apply(adapted))


@pytest.mark.parametrize("tuned", [False, True], ids=["default", "tuned"])
def test_boto3_transfer_20mib(harness, target, tuned):
    if "boto3" not in harness.drivers:
        pytest.skip("--driver excludes boto3")
    variant = "upload-tuned" if tuned else "upload-default"
    driver = harness.driver("boto3", target.with_prefix(f"matrix-boto3-{variant}/"), "when_supported")
    model = BucketModel.for_target(driver.target)
    with harness.check(group="config-matrix", scenario=f"boto3-{variant}-20MiB", driver=driver) as chk:
        judge_transfer(chk, Upload("big.bin", pattern_body(BIG, 6), tuned), driver.target, model,
                       AVOID[("boto3", "upload")])
    if tuned:
        return  # the download is the same for both: run once
    ensure_object(harness, driver.target, "dl.bin", pattern_body(BIG, 8))
    model.apply(Put("dl.bin", pattern_body(BIG, 8)))
    with harness.check(group="config-matrix", scenario="boto3-download-20MiB", driver=driver,
                       notes="download_file: HEAD, then concurrent ranged GETs with If-Match") as chk:
        chk.step(Download("dl.bin"), model=model)


@pytest.mark.parametrize("client,variant,signature,expected", [
    ("boto3", "when_supported", "s3v4", 200), ("boto3", "default", "default", 400),
    ("awscli", "presign-v4", "s3v4", 200), ("awscli", "s3api", "default", 400),
], ids=["boto3-s3v4", "boto3-default-sigv2", "aws-presign-s3v4", "aws-presign-default-sigv2"])
def test_presigned(harness, target, client, variant, signature, expected):
    if client not in harness.drivers:
        pytest.skip(f"--driver excludes {client}")
    driver = harness.driver(client, target, variant)
    ensure_object(harness, target, "matrix/presigned.txt", b"presigned body")
    model = BucketModel.for_target(target)
    model.apply(Put("matrix/presigned.txt", b"presigned body"))
    with harness.check(group="config-matrix", scenario=f"presigned-{signature}", driver=driver) as chk:
        step = Presigned("matrix/presigned.txt", signature)
        # a SigV2 presigned URL: 400 InvalidRequest, rule auth.sigv2-query (harness/rules.py)
        exp = (model.apply(Get("matrix/presigned.txt")) if expected == 200
               else Expected(400, "InvalidRequest", rule="auth.sigv2-query"))
        chk.step(step, expected=exp)


# ---------------------------------------------------------------- every client: out-of-the-box vs the settings
SEVEN = ("ListBuckets", "HeadBucket", "ListObjects", "PutObject", "GetObject", "HeadObject", "DeleteObject")
MATRIX = [(c.name, v) for c in matrix_clients() for v in c.matrix]
WORKFLOW = [  # a user's everyday session: upload a small and a 6 MiB file, read, list, inspect, delete
    ("put-small", lambda: Put("matrix/small.txt", pattern_body(1000, 12), "text/plain")),
    ("put-6MiB", lambda: Put("matrix/six-mib.bin", pattern_body(6 * MIB, 13), "application/octet-stream")),
    ("get", lambda: Get("matrix/small.txt")),
    ("list", lambda: ListObjects("matrix/", None, None, None, True)),
    ("head", lambda: Head("matrix/small.txt")),
    ("delete", lambda: Delete("matrix/small.txt")),
]


@pytest.mark.parametrize("client,variant", MATRIX, ids=[f"{c}-{v}" for c, v in MATRIX])
def test_client_defaults_and_settings(harness, target, client, variant):
    """Each client with its out-of-the-box defaults next to the settings that keep it inside the seven operations
    (harness.drivers.registry), one check per step of a user's session (so the report, and docs/clients.md, show
    every step that leaves the seven): a request outside the seven is judged as that unsupported operation
    (limitation when refused cleanly), the record naming the settings that avoid it."""
    if client not in harness.drivers:
        pytest.skip(f"--driver excludes {client}")
    spec = CLIENTS[client]
    driver = harness.driver(client, target.with_prefix(f"matrix-{client}-{variant}/"), variant)
    model = BucketModel.for_target(driver.target)
    fix = f"{spec.title}: {spec.variant(spec.matrix[-1]).summary}"
    defaults = variant == spec.matrix[0]
    refused = spec.defaults_refused if defaults else None
    for name, make in WORKFLOW:
        scenario = f"{client}-{'defaults' if defaults else 'settings'}-{name}"
        with harness.check(group="config-matrix", scenario=scenario, driver=driver,
                           notes=f"settings inside the seven: {fix}") as chk:
            _matrix_step(chk, make(), driver, model, refused)


def _matrix_step(chk, step, driver, model, refused):
    adapted, obs = chk.run_raw(step)
    if obs is None:
        return
    if obs.outcome == "not_applicable":  # the client decided not to send it (e.g. nothing to delete)
        chk.not_applicable(step, obs.note)
        return
    outside = list(dict.fromkeys(op for op in operations_sent(obs, driver.target.endpoint_url) if op not in SEVEN))
    for op in outside:  # each operation outside the seven that the step sent, judged as that operation
        chk.judge(Unsupported(op, getattr(step, "key", "")),
                  exchange_observation(obs, op, driver.target.endpoint_url), unsupported=True)
    own = adapted.operations[0]
    if outside and exchange_observation(obs, own, driver.target.endpoint_url) is None:
        return  # the client gave up before sending the step itself (e.g. rclone after a refused CreateBucket)
    if refused is not None:
        chk.judge(adapted, obs, expected=Expected(refused[0], refused[1], reason=f"because {refused[2]}"))
    else:
        chk.judge(adapted, obs, expected=model.apply(adapted))
