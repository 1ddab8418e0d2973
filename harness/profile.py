"""What a target is judged against: the service (seven operations) or all of S3.

- ``SERVICE``: Poweredby.Cloud's documented seven operations. An operation outside them refused with
  ``501 NotImplemented`` is a *limitation* (expected); accepted, it is *extra* (the documentation or the service is
  wrong); refused any other way, a *gap*.
- ``S3``: an implementation of all of S3 (moto, Ceph RGW, SeaweedFS). Accepting an operation outside the seven is
  what S3 does, so it *passes*; refusing it with ``501 NotImplemented`` is a *limitation* of that implementation
  (S3's own answer for what a server does not implement:
  https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList, NotImplemented); any other
  refusal is a *gap*. Nothing is *extra* under this profile.
"""

from __future__ import annotations

from enum import Enum


class Profile(str, Enum):
    SERVICE = "service"
    S3 = "s3"

    @property
    def description(self) -> str:
        return {Profile.SERVICE: "the service: seven operations, anything else should be 501 NotImplemented",
                Profile.S3: "full S3: operations beyond the seven are judged as S3 answers them"}[self]
