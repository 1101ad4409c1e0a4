/* NipBox's line editor (userland/nipbox/lineedit.c): what a line becomes and
 * what is echoed, byte by byte. */
#include <string.h>

#include "check.h"
#include "lineedit.h"

static struct lineedit le;
static char echoed[4096];

/* Feeds bytes until a line completes (or they run out); returns how many
 * bytes were used, or -1 if no line completed. Echo goes to echoed[]. */
static int feed(const char *bytes, size_t n)
{
    echoed[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int done = lineedit_feed(&le, bytes[i]);
        strncat(echoed, le.echo, le.echo_len);
        le.echo_len = 0;
        if (done)
            return (int)i + 1;
    }
    return -1;
}

#define FEED(s) feed((s), sizeof(s) - 1)

int main(void)
{
    lineedit_init(&le);

    CHECK_EQ_I64(FEED("ls\r"), 3);
    CHECK_STR(le.line, "ls");
    CHECK_STR(echoed, "ls\n");

    /* "\r\n" is one Enter: the '\n' is swallowed, not an empty line. */
    lineedit_new_line(&le);
    CHECK_EQ_I64(FEED("\nab\n"), 4);
    CHECK_STR(le.line, "ab");
    CHECK_STR(echoed, "ab\n");

    /* Backspace both ways; too many of them erase nothing more. */
    lineedit_new_line(&le);
    CHECK_EQ_I64(FEED("cax\x7f\bt\b\b\b\bhelp\r"), 15);
    CHECK_STR(le.line, "help");
    CHECK_STR(echoed, "cax\b \b\b \bt\b \b\b \bhelp\n");

    /* Ctrl-U kills the line; Ctrl-W the last word. */
    lineedit_new_line(&le);
    CHECK(FEED("junk\x15ok\r") > 0);
    CHECK_STR(le.line, "ok");
    lineedit_new_line(&le);
    CHECK(FEED("echo one two\x17three\r") > 0);
    CHECK_STR(le.line, "echo one three");

    /* Ctrl-C drops the line and says so. */
    lineedit_new_line(&le);
    CHECK(FEED("halt\x03") > 0);
    CHECK_STR(le.line, "");
    CHECK_STR(echoed, "halt^C\n");

    /* Arrow keys and other control bytes are ignored; tab is a space. */
    lineedit_new_line(&le);
    CHECK(FEED("\x1b[Aa\x1b[1;5Cb\x01\tc\x1bOd\r") > 0);
    CHECK_STR(le.line, "ab c");

    /* A full line rings the bell and keeps what fits. */
    lineedit_new_line(&le);
    char longline[LINE_MAX + 10];
    memset(longline, 'x', sizeof longline);
    CHECK_EQ_I64(feed(longline, sizeof longline), -1);
    CHECK_EQ_U64(le.len, LINE_MAX - 1);
    CHECK(strchr(echoed, '\a') != NULL);
    CHECK_EQ_I64(FEED("\r"), 1);
    CHECK_EQ_U64(strlen(le.line), LINE_MAX - 1);

    /* Bytes after Enter are left for the next line. */
    lineedit_new_line(&le);
    CHECK_EQ_I64(FEED("one\rtwo\r"), 4);
    CHECK_STR(le.line, "one");

    return check_summary("lineedit");
}
