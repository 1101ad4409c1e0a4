/*
 * Running programs: a command word with a '/' is a path (/bin/hello,
 * bin/hello); a bare name is looked up in /bin. The program replaces the
 * shell (CMD_SYS_EXEC); when it ends, the kernel starts a new shell.
 */
#ifndef RUMPK_NIPBOX_LAUNCH_H
#define RUMPK_NIPBOX_LAUNCH_H

/* Runs argv[0] with argv. Returns only when it could not: after printing
 * `nipbox: NAME: unknown command (try help)` when a bare name is neither in
 * /bin nor (with `explicit`, for the exec builtin) anywhere, or silently
 * when the kernel refused the file (it printed `exec: PATH: REASON`).
 * Returns the status. */
int launch(int argc, char **argv, int explicit_exec);

#endif
