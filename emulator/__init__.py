"""A faithful emulator of Poweredby.Cloud's S3-compatible API (seven operations, SigV4 only)."""

from .accounts import Account
from .config import BucketSpec, EmulatorConfig
from .emulator import Emulator, EmulatorError

__all__ = ["Account", "BucketSpec", "Emulator", "EmulatorConfig", "EmulatorError"]
