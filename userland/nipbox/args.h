/*
 * Splitting a command line into words, in place. Words are separated by
 * spaces or tabs; double quotes group ("a b" is one word, "" an empty one,
 * and a"b c"d the word ab cd); inside quotes, \" and \\ stand for " and \.
 * Pure, tested on the host (userland/tests/test_args.c).
 */
#ifndef RUMPK_NIPBOX_ARGS_H
#define RUMPK_NIPBOX_ARGS_H

/* Splits `line` (modified: the words end up in it, NUL-terminated) into at
 * most `max` words; argv must have room for max + 1 pointers and ends with
 * NULL. Returns the number of words, or -1 with *error set to a message. */
int args_split(char *line, char **argv, int max, const char **error);

#endif
