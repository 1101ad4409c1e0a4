"""tarfs ls [DIR]: the mounted initrd as the kernel's in-memory index sees it.

Reads the kernel's `rootfs` (struct tar_index) in three reads: the index
header, the whole entry array, and the block of path strings the entries
point into. Lists the direct children of DIR like the shell's `ls`,
directories that exist only implicitly (files under them, no entry of their
own) included, so what GDB shows can be compared with what `ls` prints.
"""
import posixpath

import gdb

from rumpk import utils

TAR_DIR = 1


def normalize(path):
    """The kernel's path_normalize (kernel/fs/path.c): no leading or trailing
    '/', '.' dropped, '..' never above the root; the root is ''."""
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def read_index():
    """[(path, type, mode, size, data address)] of every indexed entry."""
    mounted_addr, mounted_type = utils.global_address("rootfs_mounted")
    if not utils.decode_int(utils.read(mounted_addr, mounted_type.sizeof), 0,
                            mounted_type.sizeof):
        raise gdb.GdbError("tarfs: the initrd is not mounted (yet): break after tarfs_mount, "
                           "or read the boot log for an [initrd] ERROR line")
    address, raw, gtype = utils.read_global("rootfs")
    index = utils.layout(gtype).decode(raw)
    count, entries_addr = index["count"], index["entries"]
    entry = utils.layout("struct tar_entry")
    table = utils.read(entries_addr, count * entry.size) if count else b""
    rows = [entry.decode(table, i * entry.size) for i in range(count)]
    paths = [r["path"] for r in rows if r["path"]]
    names = b""
    lo = min(paths) if paths else 0
    if paths:
        names = utils.read(lo, max(paths) - lo + 256)
    out = []
    for r in rows:
        p = r["path"]
        text = names[p - lo:names.index(b"\0", p - lo)].decode(errors="replace") if p else ""
        out.append((text, r["type"], r["mode"], r["size"], r["data"]))
    return out


def children(entries, directory):
    """The direct children of `directory` (normalized): {name: (type, mode, size)}."""
    prefix = directory + "/" if directory else ""
    found = {}
    for path, etype, mode, size, _ in entries:
        if not path.startswith(prefix) or path == directory:
            continue
        rest = path[len(prefix):]
        name, sep, _ = rest.partition("/")
        if sep:  # deeper: `name` is a directory, perhaps only implicitly
            found.setdefault(name, (TAR_DIR, 0o755, 0))
        else:
            found[name] = (etype, mode, size)
    return found


class TarfsPrefix(gdb.Command):
    """Inspect the kernel's TarFS index (the mounted initrd)."""

    def __init__(self):
        super().__init__("tarfs", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class TarfsLs(gdb.Command):
    """List a directory of the mounted initrd: tarfs ls [DIR]

Reads the kernel's in-memory index (rootfs) and prints each direct child of
DIR (default /): type, mode, size and name, directories with a trailing '/'."""

    def __init__(self):
        super().__init__("tarfs ls", gdb.COMMAND_DATA, gdb.COMPLETE_NONE)

    @utils.kernel_view
    def invoke(self, arg, from_tty):
        directory = normalize(arg.strip() or "/")
        entries = read_index()
        if directory and not any(p == directory or p.startswith(directory + "/")
                                 for p, *_ in entries):
            raise gdb.GdbError(f"tarfs: /{directory}: no such directory in the index")
        kids = children(entries, directory)
        rows = []
        for name in sorted(kids):
            etype, mode, size = kids[name]
            is_dir = etype == TAR_DIR
            rows.append(["d" if is_dir else "-", f"{mode & 0o7777:04o}", str(size),
                         (name + "/", "34") if is_dir else name])
        print(utils.table(rows, aligns="<<><") if rows else "  (empty)")
        print(f"/{directory}: {len(kids)} entries; the index holds {len(entries)} in all")


TarfsPrefix()
TarfsLs()
