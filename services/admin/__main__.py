import sys

from services.cli import admin_command

sys.exit(admin_command())
