"""``python -m symconv.documents [FOLDER] [--claims FILE]``: regenerate the documents of ``derivations/``."""

import sys

from symconv.documents import main

sys.exit(main())
