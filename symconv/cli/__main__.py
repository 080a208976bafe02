"""``python -m symconv.cli``: the ``symconv`` command."""

import sys

from symconv.cli import main

sys.exit(main())
