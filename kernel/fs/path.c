/*
 * path_normalize walks the path from its end: a ".." cancels the nearest
 * name to its left that is not cancelled already, so going backwards needs
 * only a counter, never a stack, and the length of the result is known before
 * a byte is written. A ".." with nothing left to cancel is at the root and
 * vanishes.
 */
#include "fs/path.h"

#include <stdint.h>

#include "lib/string.h"

static int is_dot(const char *c, size_t len)
{
    return len == 1 && c[0] == '.';
}

static int is_dotdot(const char *c, size_t len)
{
    return len == 2 && c[0] == '.' && c[1] == '.';
}

/* Visits the names of in[0..n) that survive, right to left. With out NULL it
 * only measures; otherwise it writes them so the result ends at out[len].
 * Returns the length of the result ('/' separators included). */
static size_t walk_back(const char *in, size_t n, char *out, size_t len)
{
    size_t pending_up = 0;  /* ".." seen to the right, not yet matched */
    size_t total = 0;
    size_t end = n;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && in[start - 1] != '/')
            start--;
        const char *name = in + start;
        size_t name_len = end - start;
        if (name_len == 0 || is_dot(name, name_len)) {
            /* "//" and "." name nothing */
        } else if (is_dotdot(name, name_len)) {
            pending_up++;
        } else if (pending_up) {
            pending_up--;
        } else {
            if (total) {
                total++;
                if (out)
                    out[len - total] = '/';
            }
            total += name_len;
            if (out)
                memcpy(out + len - total, name, name_len);
        }
        end = start ? start - 1 : 0;  /* step over the '/' */
    }
    return total;
}

int path_normalize(const char *in, char *out, size_t size)
{
    if (!out || size == 0)
        return -1;
    out[0] = '\0';
    if (!in)
        return -1;
    size_t n = strlen(in);
    size_t len = walk_back(in, n, NULL, 0);
    if (len >= size || len > INT32_MAX)
        return -1;
    walk_back(in, n, out, len);
    out[len] = '\0';
    return (int)len;
}
