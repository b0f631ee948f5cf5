"""``python -m gamesim`` runs the command line."""

import sys

from gamesim.cli import main

sys.exit(main())
