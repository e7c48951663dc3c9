from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wagtail_mentorat.privacy import inventory


class Command(BaseCommand):
    help = (
        "The data inventory (A-2.1 s. 63.5): every field of the app's models with its purpose, "
        "retention and who may see it. --markdown prints the Markdown section; "
        "--write PATH [PATH ...] inserts or replaces it in each of those Markdown files (the "
        "documentation's privacy pages, or a host's own page or README)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--markdown", action="store_true", help="Print the Markdown block.")
        parser.add_argument(
            "--write",
            "--write-readme",
            dest="write",
            nargs="+",
            metavar="PATH",
            help=(
                "Insert or replace the block in these Markdown files (e.g. "
                "docs/fr/privacy/inventory.md docs/en/privacy/inventory.md): between its "
                f"markers, else under a '{inventory.HEADING}' heading, else at the end. "
                "--write-readme is the former name."
            ),
        )

    def handle(self, *args, markdown=False, write=None, **options):
        missing = inventory.unclassified()
        if missing:
            raise CommandError("Unclassified fields: " + ", ".join(missing))
        if write:
            paths = [Path(name) for name in write]
            for path in paths:
                if not path.is_file():
                    raise CommandError(f"{path}: no such file")
            for path in paths:
                path.write_text(inventory.readme_with_inventory(path.read_text()))
                self.stdout.write(f"{path} updated")
        elif markdown:
            self.stdout.write(inventory.markdown(), ending="")
        else:
            self.stdout.write(f"{len(inventory.INVENTORY)} models classified")
