import sys

from lit_analytics.cli import main

sys.exit(main())
