"""`python -m services.disruptions --flight AL 123 --date 2026-12-04 --cancel|--delay 240
--cause weather` (services/disruptions/cli.py)."""

import sys

from services.disruptions.cli import disruption_command

sys.exit(disruption_command())
