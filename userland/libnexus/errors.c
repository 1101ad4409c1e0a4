/*
 * Status codes in words, for messages like `cat: /nope: no such file`.
 */
#include "libnexus.h"

const char *nexus_strerror(int status)
{
    switch (status) {
    case ION_OK:      return "ok";
    case ION_EKIND:   return "unknown command";
    case ION_ETAG:    return "provenance tag does not verify";
    case ION_EPAD:    return "_pad is not zero";
    case ION_EARG:    return "bad argument";
    case ION_ENOMEM:  return "out of packets";
    case ION_ENOENT:  return "no such file";
    case ION_EBADF:   return "bad handle";
    /* The VFS's own codes (kernel/fs/vfs.h); they cross the ABI before
     * abi/ion.h names them. */
    case -8:          return "too many open files";
    case -9:          return "is a directory";
    case -10:         return "not a directory";
    case NEXUS_ELOST: return "completion lost";
    default: {
        /* Not reentrant; fine for one message at a time. */
        static char buf[24];
        snprintf(buf, sizeof buf, "error %d", status);
        return buf;
    }
    }
}
