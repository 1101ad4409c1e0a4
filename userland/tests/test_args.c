/* NipBox's word splitter (userland/nipbox/args.c). */
#include <string.h>

#include "args.h"
#include "check.h"

/* Splits `line` and compares with want[] (NULL-terminated); max words 8. */
static void split_is(const char *line, const char *const *want)
{
    char buf[256];
    char *argv[9];
    const char *error;
    strcpy(buf, line);
    int argc = args_split(buf, argv, 8, &error);
    int n = 0;
    while (want[n])
        n++;
    if (!CHECK_EQ_I64(argc, n)) {
        printf("  line: [%s]\n", line);
        return;
    }
    for (int i = 0; i < n; i++)
        CHECK_STR(argv[i], want[i]);
    CHECK(argv[argc] == NULL);
}

static void split_fails(const char *line, const char *message)
{
    char buf[256];
    char *argv[9];
    const char *error;
    strcpy(buf, line);
    CHECK_EQ_I64(args_split(buf, argv, 8, &error), -1);
    CHECK_STR(error, message);
}

int main(void)
{
    split_is("", (const char *[]){ NULL });
    split_is("   \t ", (const char *[]){ NULL });
    split_is("ls", (const char *[]){ "ls", NULL });
    split_is("  cat  /etc/motd\t/etc/hostname  ",
             (const char *[]){ "cat", "/etc/motd", "/etc/hostname", NULL });
    split_is("echo \"a  b\" c", (const char *[]){ "echo", "a  b", "c", NULL });
    split_is("echo \"\" x", (const char *[]){ "echo", "", "x", NULL });
    split_is("echo a\"b c\"d", (const char *[]){ "echo", "ab cd", NULL });
    split_is("echo \"say \\\"hi\\\" \\\\ ok\"", (const char *[]){ "echo", "say \"hi\" \\ ok", NULL });
    split_is("echo a\\b", (const char *[]){ "echo", "a\\b", NULL });   /* no escapes outside quotes */
    split_is("a b c d e f g h", (const char *[]){ "a", "b", "c", "d", "e", "f", "g", "h", NULL });
    split_fails("a b c d e f g h i", "too many arguments");
    split_fails("echo \"open", "unterminated quote");
    return check_summary("args");
}
