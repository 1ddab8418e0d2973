"""python -m harness.compare: the same as s3-compare."""

import sys

from harness.compare import main

sys.exit(main())
