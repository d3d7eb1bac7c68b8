"""Start-up check: the CJK fonts and fast font subsetting that document rendering needs.

Without Noto Serif CJK the forms fall back to whatever font fontconfig finds (or boxes);
without libharfbuzz-subset0 WeasyPrint subsets with fontTools, and one CJK page takes over 10 s.
Both are Debian packages (fonts-noto-cjk, libharfbuzz-subset0), listed in the Makefile.
"""

import ctypes.util
import functools
import shutil
import subprocess

from django.core.checks import Warning as CheckWarning

FONT_FAMILY = "Noto Serif CJK SC"


@functools.cache
def missing_dependencies() -> tuple[str, ...]:
    """What is missing, in words for the operator; empty when all is there."""
    problems = []
    if ctypes.util.find_library("harfbuzz-subset") is None:
        problems.append(
            "libharfbuzz-subset.so.0 not found: PDF font subsetting will be very slow "
            "(apt-get install libharfbuzz-subset0)"
        )
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        problems.append("fc-list not found: fontconfig is missing (apt-get install fontconfig)")
    else:
        try:
            output = subprocess.run(
                [fc_list, f":family={FONT_FAMILY}", "family"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            output = ""
            problems.append(f"fc-list failed: {exc}")
        if FONT_FAMILY not in output:
            problems.append(
                f"font {FONT_FAMILY!r} not found: documents will not print in 宋体 style "
                "(apt-get install fonts-noto-cjk)"
            )
    return tuple(problems)


def check_document_rendering(app_configs=None, **kwargs):
    return [
        CheckWarning(
            f"Document rendering: {problem}",
            hint="Install the system packages listed in the Makefile (make system-packages).",
            id="documents.W001",
        )
        for problem in missing_dependencies()
    ]
