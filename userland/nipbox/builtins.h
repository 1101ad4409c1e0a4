/*
 * NipBox's built-in commands: the table `help` prints and the shell looks
 * words up in, and the commands themselves.
 */
#ifndef RUMPK_NIPBOX_BUILTINS_H
#define RUMPK_NIPBOX_BUILTINS_H

struct builtin {
    const char *name;
    const char *usage;       /* as `help` shows it */
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* The builtin called `name`, or NULL. */
const struct builtin *builtin_find(const char *name);

/* Prints a file on the console. Returns 0, or the status after printing
 * `WHO: PATH: REASON` (unless quiet). */
int cat_file(const char *who, const char *path, int quiet);

/* `matrix` (matrix.c): green rain on the framebuffer until a key. */
int cmd_matrix(int argc, char **argv);

#endif
