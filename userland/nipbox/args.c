#include "args.h"

#include <stddef.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int args_split(char *line, char **argv, int max, const char **error)
{
    /* The output never gets ahead of the input (quotes and backslashes
     * only ever shrink it), so the words are written over the line. */
    const char *in = line;
    char *out = line;
    int argc = 0;

    *error = NULL;
    for (;;) {
        while (is_blank(*in))
            in++;
        if (!*in)
            break;
        if (argc == max) {
            *error = "too many arguments";
            return -1;
        }
        argv[argc++] = out;
        int quoted = 0;
        while (*in && (quoted || !is_blank(*in))) {
            if (*in == '"') {
                quoted = !quoted;
                in++;
            } else if (quoted && *in == '\\' && (in[1] == '"' || in[1] == '\\')) {
                *out++ = in[1];
                in += 2;
            } else {
                *out++ = *in++;
            }
        }
        if (quoted) {
            *error = "unterminated quote";
            return -1;
        }
        /* The terminator may overwrite the blank that ended the word (in is
         * past it) or the line's own NUL (in points at it, already read). */
        int at_end = !*in;
        *out++ = '\0';
        if (at_end)
            break;
        in++;
    }
    argv[argc] = NULL;
    return argc;
}
