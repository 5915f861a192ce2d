"""Progress bars for long commands: shown on a terminal, silent in pipes and CI."""

import os
import sys

from tqdm import tqdm


def progress_bar(total=None, desc="", unit="event", stream=None):
    stream = stream or sys.stderr
    quiet = not stream.isatty() or bool(os.environ.get("CI"))
    return tqdm(total=total, desc=desc, unit=unit, file=stream, disable=quiet, leave=False, dynamic_ncols=True)
