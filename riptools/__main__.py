"""``python -m riptools`` runs the console script."""

import sys

from riptools.cli import main

if __name__ == "__main__":
    sys.exit(main())
