/*
 * The line editor: turns the bytes a terminal sends into one line, and says
 * what to echo back. Pure (no I/O, no libnexus), so the host unit tests
 * (userland/tests/test_lineedit.c) feed it byte sequences directly.
 *
 *   printable bytes    appended and echoed (a full line rings the bell)
 *   0x7f, 0x08         erase the last character: echo "\b \b"
 *   '\r' or '\n'       end the line: echo "\n" (the console prints CR LF);
 *                      the '\n' of a "\r\n" pair is swallowed
 *   Ctrl-U             erase the whole line
 *   Ctrl-W             erase the last word
 *   Ctrl-C             drop the line: echo "^C\n", the line is empty
 *   Tab                a space
 *   ESC sequences      (arrow keys: ESC [ A ...) ignored whole
 *   anything else      ignored
 */
#ifndef RUMPK_NIPBOX_LINEEDIT_H
#define RUMPK_NIPBOX_LINEEDIT_H

#include <stddef.h>

#define LINE_MAX 256   /* bytes, the NUL included */

enum lineedit_state {
    LINEEDIT_NORMAL,
    LINEEDIT_AFTER_CR,    /* a '\n' now is the second half of "\r\n" */
    LINEEDIT_ESC,         /* after ESC */
    LINEEDIT_CSI,         /* after ESC [ or ESC O: until a final byte */
};

struct lineedit {
    char line[LINE_MAX];
    size_t len;
    enum lineedit_state state;
    /* What to send back to the terminal; the caller writes it and empties it. */
    char echo[3 * LINE_MAX + 8];
    size_t echo_len;
};

/* Ready for the first line. */
void lineedit_init(struct lineedit *le);

/* Starts a new line; the "\r\n" state carries over from the previous one. */
void lineedit_new_line(struct lineedit *le);

/* Feeds one byte. Returns 1 when the line is complete (le->line holds it,
 * NUL-terminated), 0 otherwise. */
int lineedit_feed(struct lineedit *le, char c);

#endif
