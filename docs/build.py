"""Build the documentation site: one Sphinx build per language, sharing docs/conf.py.

    python docs/build.py                 # docs/_build/html/{fr,en}/, strict
    python docs/build.py --out DIR       # elsewhere (the tests build into a temporary folder)
    python docs/build.py --no-strict     # warnings shown, not fatal (while writing)

Strict is ``-W --keep-going -n``: every warning is listed, then the build fails on any
(a link to a missing page or heading, a page in no toctree, a missing image...).
``index.html`` at the top sends to the French site, French first. Nothing is fetched
from the network.
"""

import argparse
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
LANGUAGES = ("fr", "en")
REDIRECT = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>wagtail-mentorat — documentation</title>
<meta http-equiv="refresh" content="0; url=fr/index.html">
</head>
<body>
<p><a href="fr/index.html" hreflang="fr">Documentation en français</a> ·
<a href="en/index.html" hreflang="en" lang="en">Documentation in English</a></p>
</body>
</html>
"""


def build(out=DOCS / "_build" / "html", strict=True, languages=LANGUAGES, quiet=False, source=DOCS):
    """Build ``source/LANG`` for each language into ``out/LANG`` with docs/conf.py; return
    the first non-zero status, else 0."""
    from sphinx.cmd.build import build_main

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    status = 0
    for language in languages:
        args = ["-b", "html", "-E", "-c", str(DOCS), "-D", f"language={language}"]
        args += ["-d", str(out / ".doctrees" / language)]
        if strict:
            args += ["-W", "--keep-going", "-n"]
        if quiet:
            args += ["-q"]
        args += [str(Path(source) / language), str(out / language)]
        result = build_main(args)
        status = status or result
    (out / "index.html").write_text(REDIRECT, encoding="utf-8")
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(DOCS / "_build" / "html"))
    parser.add_argument("--no-strict", dest="strict", action="store_false")
    parser.add_argument("--quiet", "-q", action="store_true")
    parser.add_argument("--language", action="append", choices=LANGUAGES)
    parser.add_argument("--source", default=str(DOCS), help="the folder of fr/ and en/")
    options = parser.parse_args(argv)
    return build(
        options.out,
        options.strict,
        tuple(options.language or LANGUAGES),
        options.quiet,
        options.source,
    )


if __name__ == "__main__":
    sys.exit(main())
