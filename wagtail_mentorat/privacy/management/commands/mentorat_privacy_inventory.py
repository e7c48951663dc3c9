from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wagtail_mentorat.privacy import inventory


class Command(BaseCommand):
    help = (
        "The data inventory (A-2.1 s. 63.5): every field of the app's models with its purpose, "
        "retention and who may see it. --markdown prints the Markdown section; "
        "--write-readme PATH inserts or replaces it in that file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--markdown", action="store_true", help="Print the Markdown block.")
        parser.add_argument(
            "--write-readme",
            metavar="PATH",
            help="Insert or replace the block in this Markdown file (e.g. README.md).",
        )

    def handle(self, *args, markdown=False, write_readme=None, **options):
        missing = inventory.unclassified()
        if missing:
            raise CommandError("Unclassified fields: " + ", ".join(missing))
        if write_readme:
            path = Path(write_readme)
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            path.write_text(inventory.readme_with_inventory(path.read_text()))
            self.stdout.write(f"{path} updated")
        elif markdown:
            self.stdout.write(inventory.markdown(), ending="")
        else:
            self.stdout.write(f"{len(inventory.INVENTORY)} models classified")
