"""``python -m teilhabe.eligibility check FILE.json`` — see :mod:`teilhabe.eligibility.cli`."""

import sys

from .cli import main

sys.exit(main())
