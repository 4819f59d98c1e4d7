"""``python -m riptools`` runs the console script."""

import sys

from riptools.cli import main

sys.exit(main())
