"""Zips a directory reproducibly: sorted entries, fixed time stamps and modes, relative paths.

Usage: deterministic-zip.py <source dir> <target zip>
"""

import os
import sys
import zipfile


def main(source: str, target: str) -> None:
    paths = []
    for directory, _, files in os.walk(source):
        paths += [os.path.join(directory, name) for name in files]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(paths):
            entry = zipfile.ZipInfo(os.path.relpath(path, source), date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as stream:
                archive.writestr(entry, stream.read(), compresslevel=6)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
