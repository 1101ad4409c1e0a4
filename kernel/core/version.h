/* Filled in by the build (build/gen/version.c): which source this kernel is. */
#ifndef RUMPK_CORE_VERSION_H
#define RUMPK_CORE_VERSION_H

extern const char rumpk_version[];  /* "0.1.0" */
extern const char rumpk_git_rev[];  /* `git describe --always --dirty`, or "unknown" */

#endif
