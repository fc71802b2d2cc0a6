"""Make an Open311 api_key for an account and print it once (only its hash is kept)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import User
from jiceng.cases import services
from jiceng.core.errors import UserError


class Command(BaseCommand):
    help = "Make an Open311 api_key for an account; the key is printed once and never kept."

    def add_arguments(self, parser):
        parser.add_argument("name", help="what the key is for (a hotline, an app)")
        parser.add_argument("username", help="the account its requests are reported as")

    def handle(self, *args, name: str, username: str, **options):
        account = User.objects.filter(username=username, is_active=True).first()
        if account is None:
            raise CommandError(f"no active account {username!r}")
        try:
            key, value = services.open311_key_create(name=name, account=account, by=None)
        except UserError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(f"Open311 key {key.pk} ({key.name}) for {account.username}; shown once:")
        self.stdout.write(value)
