"""Conformance harness: the same abstract workflows through boto3, s3cmd and the AWS CLI,
judged against an in-memory model of S3 and against moto as a second reference.

Layout (see docs/harness.md):
  targets.py      where to send requests (emulator / moto / live), credentials kept out of repr
  kinds/          the target registry: one module per kind (emulator, moto, live, rgw, seaweedfs)
  servers/        real S3 servers the harness starts and stops itself (Ceph RGW, SeaweedFS)
  profile.py      what a target is judged against: the service's seven operations, or full S3
  steps.py        abstract workflow steps (data)
  observation.py  what a driver saw, normalised, plus the wire exchange
  drivers/        one folder per client; all implement harness.drivers.base.Driver
  model.py        in-memory S3 bucket model (the expectation)
  reference.py    moto run in-process as the second reference
  ledgers/        one ledger per implementation (moto, rgw, seaweedfs): its known, evidenced deviations from S3
  judge.py        expected vs observed -> verdict
  results.py      one record per check, written to <report-dir>/results.json
  plugin.py       the pytest plugin (options, fixtures, verdict -> pass/fail)
"""
