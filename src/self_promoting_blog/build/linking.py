"""Put a file kept in the build cache into the output, or the reverse, without copying its bytes.

A hard link where the file system allows (the cache and the output on one file system, the usual
case), else a copy. Both names then share one file, so whoever links must never write either
name in place afterwards: our writers replace a file by a new one (temporary file + rename).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def link_or_copy(source: Path, target: Path) -> None:
    """Make `target` a name of `source` (replacing any file there), else a copy of it."""
    try:
        os.link(source, target)
    except FileExistsError:
        target.unlink()
        link_or_copy(source, target)
    except FileNotFoundError:
        raise  # no source (removed by a build sharing the cache) or no target folder
    except OSError:  # another file system, or links not supported
        # Unlinked first, so a copy never writes through another name of the file there.
        target.unlink(missing_ok=True)
        shutil.copyfile(source, target)
