"""pip-audit over the installed environment, with documented exceptions.

Fails on any known vulnerability of an installed distribution that is not in IGNORED
below (each with its reason and the date it should be looked at again).

pip-audit asks PyPI's JSON API for each distribution's advisories at the installed
version. Where that service cannot be reached (a sandbox whose package proxy serves only
some of PyPI), every distribution comes back "not found on PyPI". Then a fallback asks
PyPI's project page (``/pypi/<name>/json``), whose advisories are the latest release's:
a distribution installed at its latest release is audited that way; any other is listed
as not audited, with the versions. When nothing at all could be audited this says so
loudly and exits 0, unless PIP_AUDIT_REQUIRED=1, where it fails.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from importlib import metadata
from pathlib import Path

# id -> reason. Only for a vulnerability with no fixed release, or one that cannot reach
# this project; remove the line once a fix is installed.
IGNORED = {}


def latest_release_advisories(name, version):
    """PyPI's advisories for ``name`` if ``version`` is its latest release; else the latest
    release (a string), or None when PyPI cannot be reached."""
    url = f"https://pypi.org/pypi/{urllib.request.quote(name)}/json"
    try:
        # A fixed https URL: no file: or custom scheme can reach urlopen.
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310  # nosec B310
            data = json.load(response)
    except (OSError, ValueError):
        return None
    latest = data.get("info", {}).get("version")
    if latest != version:
        return latest
    return [
        {"id": v["id"], "fix_versions": v.get("fixed_in") or []}
        for v in data.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]


def fallback(skipped):
    """Audit what pip-audit skipped, at the latest release only; the rest is listed."""
    audited, left = [], []
    for dep in skipped:
        try:
            dep = {**dep, "version": dep.get("version") or metadata.version(dep["name"])}
        except metadata.PackageNotFoundError:
            left.append({**dep, "version": "?"})
            continue
        vulns = latest_release_advisories(dep["name"], dep["version"])
        if not isinstance(vulns, list):
            left.append({**dep, "version": f"{dep['version']} (latest: {vulns or '?'})"})
        else:
            audited.append({**dep, "vulns": [v for v in vulns if v["id"] not in IGNORED]})
    if left:
        print("not audited (installed release is not PyPI's latest, or PyPI unreachable):")
        print("  " + ", ".join(f"{d['name']} {d['version']}" for d in left))
    return audited


def main():
    venv_bin = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [
            str(venv_bin / "pip-audit"),
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report),
        ]
        for vuln_id in IGNORED:
            command += ["--ignore-vuln", vuln_id]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if not report.exists():
            print(result.stdout, result.stderr, sep="\n")
            return 1
        data = json.loads(report.read_text())

    dependencies = data.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "not found on PyPI" in d.get("skip_reason", "")]
    if skipped:
        audited += fallback(skipped)
    found = [(d["name"], d["version"], v) for d in audited for v in d.get("vulns", [])]
    for name, version, vuln in found:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        print(f"VULNERABLE {name} {version}: {vuln['id']} (fixed in: {fixes})")
    for vuln_id, reason in IGNORED.items():
        print(f"ignored {vuln_id}: {reason}")
    print(f"pip-audit: {len(audited)} of {len(dependencies)} distributions audited")
    if found:
        return 1
    if dependencies and not audited:
        print(
            "WARNING: NOTHING WAS AUDITED: PyPI's vulnerability service could not be reached "
            "(every distribution 'not found on PyPI'). Run .ci/pip_audit.py where it can be."
        )
        return 1 if os.environ.get("PIP_AUDIT_REQUIRED") == "1" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
