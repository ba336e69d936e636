"""Only the name of the command `python -m services.admin check|set-password|disable|enable`
(services/cli.py); the administrator's actions are services.identity.admin."""
