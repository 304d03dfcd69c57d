"""Zips a directory reproducibly: sorted entries, fixed time stamps and modes, relative paths.

Usage: deterministic-zip.py <source dir> <target zip> <deflate level 0-9>
"""

import os
import sys
import zipfile


def main(source: str, target: str, level: int) -> None:
    paths = []
    for directory, _, files in os.walk(source):
        paths += [os.path.join(directory, name) for name in files]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for path in sorted(paths):
            entry = zipfile.ZipInfo(os.path.relpath(path, source), date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as stream:
                archive.writestr(entry, stream.read(), compresslevel=level)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
