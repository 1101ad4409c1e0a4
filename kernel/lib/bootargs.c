#include "lib/bootargs.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

int bootarg_get(const char *args, const char *key, char *buf, size_t size)
{
    int found = 0;
    const char *p = args;
    while (*p) {
        while (is_space(*p))
            p++;
        const char *word = p;
        while (*p && !is_space(*p))
            p++;
        const char *word_end = p;

        const char *k = key, *w = word;
        while (*k && w < word_end && *w == *k)
            w++, k++;
        if (*k || (w < word_end && *w != '='))
            continue;  /* a different key, or `key` is only a prefix of it */
        found = 1;
        if (buf && size) {
            size_t n = 0;
            if (w < word_end)
                for (w++; w < word_end && n + 1 < size; w++)
                    buf[n++] = *w;
            buf[n] = '\0';
        }
    }
    return found;
}

int bootarg_present(const char *args, const char *key)
{
    return bootarg_get(args, key, NULL, 0);
}
