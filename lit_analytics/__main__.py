"""`python -m lit_analytics <command>`: the command line (`lit_analytics.cli`)."""

import sys

from lit_analytics.cli import main

sys.exit(main())
