"""`python -m crawler.cli`: what the scheduler's child processes run."""

import sys

from crawler.cli import main

sys.exit(main())
