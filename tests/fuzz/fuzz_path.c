/* libFuzzer target: path normalization. The result never escapes the root,
 * has no empty, "." or ".." component, and normalizing it again changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    char in[1025], out[300], again[300];
    memcpy(in, data, size);
    in[size] = '\0';
    int n = path_normalize(in, out, sizeof out);
    if (n < 0)
        return 0;
    if ((size_t)n != strlen(out) || (n > 0 && (out[0] == '/' || out[n - 1] == '/')) ||
        strstr(out, "//"))
        abort();
    for (const char *c = out; *c;) {
        const char *e = strchr(c, '/');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
            abort();
        c += len + (e ? 1 : 0);
    }
    if (path_normalize(out, again, sizeof again) != n || strcmp(out, again) != 0)
        abort();
    return 0;
}
