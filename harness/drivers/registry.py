"""The one registry of clients under test. Every place that lists clients reads it: the plugin's ``--driver``
check and ``client`` parametrisation, ``make_driver``, the report's client order, the cross-client and stateful
scenarios, the config matrix and the generated docs/clients.md.

Adding a client = its module under harness/drivers/<name>/ + one ``ClientSpec`` here (ARCHITECTURE.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variant:
    name: str
    summary: str  # the settings, as a user writes them
    inside: bool = True  # True: these settings keep the client within the seven operations


@dataclass(frozen=True)
class ClientSpec:
    name: str  # the id in reports and on the command line
    title: str  # what a customer calls it
    factory: str  # "module:Class", imported on first use (a client's runtime is needed only when it runs)
    variants: tuple[Variant, ...]
    default_variant: str
    #: "sigv2": can sign SigV2; "presign" / "presign-default" / "presign-expired": presigned URLs (SigV4 / the
    #: client's default signature / signed for a past time)
    capabilities: frozenset[str] = frozenset()
    runtime: str = "process"  # in-process | process (one per command) | helper (one long-lived process per run)
    stateful: tuple[str, ...] = ()  # variants the stateful group runs (default: the default variant)
    #: config-matrix: (out-of-the-box defaults, the settings that keep it inside the seven), or (defaults,) when
    #: the defaults already stay inside; None: the client has its own config-matrix tests
    matrix: tuple[str, ...] | None = None
    #: with its out-of-the-box defaults S3 itself refuses every request: (status, code, the source saying so)
    defaults_refused: tuple[int, str, str] | None = None
    install: str = ""
    stdcdn_config: str = ""  # a copy-paste configuration for https://stdcdn.com (docs/clients.md)
    notes: tuple[str, ...] = field(default=())
    #: the harness's own tool, not a customer's client: not in the `client` parameter, cross-client or docs
    internal: bool = False

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(f"{self.name} has no variant {name!r}")

    @property
    def cheap_steps(self) -> bool:
        """A step costs no process start (in-process or a long-lived helper): probes may run every key."""
        return self.runtime != "process"

    def load(self):
        module, _, cls = self.factory.partition(":")
        return getattr(importlib.import_module(module), cls)


V = Variant
CLIENTS: dict[str, ClientSpec] = {c.name: c for c in (
    ClientSpec(
        "boto3", "boto3 (AWS SDK for Python)", "harness.drivers.boto3.driver:Boto3Driver",
        (V("when_supported", "botocore defaults, retries off"), V("when_required", "request_checksum_calculation="
                                                                                 "when_required"),
         V("when_supported+signed", "payload_signing_enabled=True"), V("default", "botocore defaults"),
         V("doc", "the service doc's snippet")),
        "when_supported", frozenset({"sigv2", "presign", "presign-default", "presign-expired"}), "in-process",
        stateful=("when_supported", "when_required"), install="PyPI boto3",
        stdcdn_config='boto3.client("s3", endpoint_url="https://stdcdn.com", region_name="us-east-1",\n'
                      '             config=Config(s3={"addressing_style": "virtual"}, signature_version="s3v4"))'),
    ClientSpec(
        "s3cmd", "s3cmd", "harness.drivers.s3cmd.driver:S3cmdDriver",
        (V("doc", "the service doc's config, --disable-multipart, bucket_location = us-east-1"),
         V("multipart", "multipart enabled (default)", False), V("location-unset", "bucket_location unset", False),
         V("preserve", "--preserve (s3cmd-attrs metadata)")),
        "doc", frozenset({"sigv2"}), install="PyPI s3cmd",
        stdcdn_config="host_base = stdcdn.com\nhost_bucket = %(bucket)s.stdcdn.com\nbucket_location = us-east-1\n"
                      "use_https = True\nenable_multipart = False"),
    ClientSpec(
        "awscli", "AWS CLI v1", "harness.drivers.awscli.driver:AwsCliDriver",
        (V("s3api", "aws s3api <operation>"), V("s3", "aws s3 ls/cp/rm (ListObjectsV2, multipart above 8 MiB)", False),
         V("s3-tuned", "aws s3 cp with s3.multipart_threshold = 5GB"), V("presign-v4", "s3.signature_version = s3v4")),
        "s3api", frozenset({"presign", "presign-default"}), install="PyPI awscli",
        stdcdn_config="[default]\nregion = us-east-1\ns3 =\n    addressing_style = virtual\n"
                      "    multipart_threshold = 5GB\n    signature_version = s3v4\n"
                      "# aws --endpoint-url https://stdcdn.com s3api list-objects --bucket BUCKET"),
    ClientSpec(
        "rclone", "rclone", "harness.drivers.rclone.driver:RcloneDriver",
        (V("tuned", "--s3-provider Other --s3-list-version 1 --s3-no-check-bucket --s3-upload-cutoff 5G"),
         V("defaults", "provider Other, endpoint, keys and region only (creates the bucket before an upload)",
           False)),
        "tuned", matrix=("defaults", "tuned"), install="Debian rclone",
        stdcdn_config="[stdcdn]\ntype = s3\nprovider = Other\nendpoint = https://stdcdn.com\nregion = us-east-1\n"
                      "force_path_style = false\nlist_version = 1\nno_check_bucket = true\nupload_cutoff = 5G\n"
                      "env_auth = true  # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY\n"
                      "# unset AWS_CA_BUNDLE before running rclone if your environment sets it",
        notes=("rclone refuses AWS_CA_BUNDLE (LoadCustomCABundleError): run it without that variable",
               "listings (lsjson, ls -l) HEAD every object for its modification time and type unless told "
               "--no-modtime --no-mimetype (or --use-server-modtime)")),
    ClientSpec(
        "awsjs", "AWS SDK for JavaScript v3", "harness.drivers.awsjs.driver:AwsJsDriver",
        (V("defaults", "new S3Client({endpoint, region, forcePathStyle}) (CRC32 checksums, WHEN_SUPPORTED)"),
         V("when_required", 'requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: '
                            '"WHEN_REQUIRED"')),
        "defaults", frozenset({"presign", "presign-expired"}), "helper", stateful=("defaults", "when_required"),
        matrix=("defaults", "when_required"), install="npm @aws-sdk/client-s3 (package-lock.json)",
        stdcdn_config='new S3Client({ endpoint: "https://stdcdn.com", region: "us-east-1",\n'
                      '  requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" })\n'
                      "// list with ListObjectsCommand (v1), never ListObjectsV2Command; no lib-storage Upload"),
    ClientSpec(
        "awsgo", "AWS SDK for Go v2", "harness.drivers.awsgo.driver:AwsGoDriver",
        (V("defaults", "s3.NewFromConfig with BaseEndpoint/resolver, UsePathStyle for path style"),),
        "defaults", frozenset({"presign"}), "helper", matrix=("defaults",),
        install="Debian golang-go + golang-github-aws-aws-sdk-go-v2-dev (built offline)",
        stdcdn_config='cfg, _ := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))\n'
                      "client := s3.NewFromConfig(cfg, func(o *s3.Options) {\n"
                      '    o.EndpointResolver = s3.EndpointResolverFromURL("https://stdcdn.com")\n})\n'
                      "// list with ListObjects (v1), never ListObjectsV2; no manager.Uploader (multipart)"),
    ClientSpec(
        "minio", "MinIO Python SDK (minio-py)", "harness.drivers.minio.driver:MinioDriver",
        (V("v1-region", 'Minio(host, region="us-east-1"), list_objects(..., use_api_v1=True)'),
         V("defaults", "Minio(host, access_key, secret_key) (GetBucketLocation first, ListObjectsV2)", False)),
        "v1-region", frozenset({"presign", "presign-expired"}), "in-process", matrix=("defaults", "v1-region"),
        install="PyPI minio",
        stdcdn_config='client = Minio("stdcdn.com", access_key=..., secret_key=..., region="us-east-1")\n'
                      "client.enable_virtual_style_endpoint()\n"
                      'client.list_objects("BUCKET", prefix="p/", use_api_v1=True)\n'
                      "# put_object(..., part_size=5 GiB) keeps uploads below 5 GiB in one PUT"),
    ClientSpec(
        "curl", "curl --aws-sigv4", "harness.drivers.curl.driver:CurlDriver",
        (V("unsigned-payload", "--aws-sigv4 aws:amz:us-east-1:s3 -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD'"),
         V("defaults", "--aws-sigv4 aws:amz:us-east-1:s3 alone (no x-amz-content-sha256)", False)),
        "unsigned-payload", matrix=("defaults", "unsigned-payload"), install="Debian curl",
        # S3 requires x-amz-content-sha256 on every SigV4 request and refuses one without it
        defaults_refused=(400, "InvalidRequest",
                          "https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html"),
        stdcdn_config="curl --aws-sigv4 aws:amz:us-east-1:s3 --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" \\\n"
                      "     -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' https://BUCKET.stdcdn.com/KEY"),
    ClientSpec(
        "http", "the harness's raw signed HTTP client", "harness.drivers.wire.driver:WireDriver",
        (V("sigv4", "requests signed by botocore's signer, one thing wrong on purpose"),), "sigv4",
        runtime="in-process", internal=True),
)}

#: the customers' clients: every scenario's `client` parameter, the cross-client readers and writers, docs/clients.md
NAMES: tuple[str, ...] = tuple(n for n, c in CLIENTS.items() if not c.internal)
#: every driver --driver accepts (the clients and the harness's own raw client)
ALL_DRIVERS: tuple[str, ...] = tuple(CLIENTS)


def spec(name: str) -> ClientSpec:
    try:
        return CLIENTS[name]
    except KeyError:
        raise ValueError(f"unknown client {name!r} (known: {', '.join(NAMES)})") from None


def stateful_variants() -> list[tuple[str, str]]:
    return [(c.name, v) for c in CLIENTS.values() if not c.internal for v in (c.stateful or (c.default_variant,))]


def matrix_clients() -> list[ClientSpec]:
    return [c for c in CLIENTS.values() if c.matrix is not None and not c.internal]
