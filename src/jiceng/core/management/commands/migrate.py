"""``migrate``, carrying over the apps the code has renamed first (core.renames)."""

from __future__ import annotations

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from jiceng.core.renames import carry_over_renamed_apps


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Apps renamed in the code keep their tables and history."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        for old, new, tables in carry_over_renamed_apps(connection):
            if options["verbosity"] >= 1:
                self.stdout.write(f"App {old} is now {new}: {tables} tables carried over.")
        return super().handle(*args, **options)
