"""A source file's stamp: what says it is unchanged since it was last read, without reading it.

The preview's content memory and the check's kept facts both skip a file whose stamp is the one
it had when it was read.
"""

from __future__ import annotations

import os
import time

# A file changed this recently may change again within the file system's timestamp resolution
# without its stamp changing: what was read of it is not trusted next time (as git does with
# "racy" files).
SETTLED_NS = 2_000_000_000

Stamp = tuple[int, int, int, int]


def file_stamp(path: str) -> tuple[Stamp, bool] | None:
    """The file's stamp, and whether it is old enough to be trusted next time (its change time,
    which every write sets to the present whatever the modification time says); None when the
    file cannot be seen."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    settled = stat.st_ctime_ns < time.time_ns() - SETTLED_NS
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino), settled
