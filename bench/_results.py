"""Write one benchmark's section of bench/RESULTS.md, leaving the other sections alone."""

import datetime
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = "# Benchmark results\n\nEach section is rewritten by its script; see bench/README.md.\n"


def write_section(name, lines):
    """Replace (or append) the section between ``<!-- name -->`` markers."""
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    today = datetime.date.today().isoformat()
    stamp = f"_{today}, Python {platform.python_version()}, {platform.machine()}_"
    block = f"<!-- {name} -->\n" + "\n".join([*lines, "", stamp]) + f"\n<!-- /{name} -->"
    pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->", re.S)
    text = (
        pattern.sub(block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    )
    RESULTS.write_text(text)
