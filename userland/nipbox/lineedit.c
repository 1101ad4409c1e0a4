#include "lineedit.h"

#define CTRL(c) ((c) - '@')

static void echo(struct lineedit *le, const char *s)
{
    while (*s && le->echo_len < sizeof le->echo)
        le->echo[le->echo_len++] = *s++;
}

static void erase_one(struct lineedit *le)
{
    if (le->len > 0) {
        le->len--;
        echo(le, "\b \b");
    }
}

static int is_space(char c)
{
    return c == ' ';
}

void lineedit_init(struct lineedit *le)
{
    le->state = LINEEDIT_NORMAL;
    le->echo_len = 0;
    lineedit_new_line(le);
}

void lineedit_new_line(struct lineedit *le)
{
    le->len = 0;
    le->line[0] = '\0';
}

static int finish(struct lineedit *le)
{
    le->line[le->len] = '\0';
    return 1;
}

int lineedit_feed(struct lineedit *le, char c)
{
    enum lineedit_state was = le->state;
    le->state = LINEEDIT_NORMAL;

    switch (was) {
    case LINEEDIT_ESC:
        if (c == '[' || c == 'O')
            le->state = LINEEDIT_CSI;
        return 0;                       /* ESC x (Alt-x): dropped too */
    case LINEEDIT_CSI:
        if (c < 0x40 || c > 0x7e)       /* parameters: wait for the final byte */
            le->state = LINEEDIT_CSI;
        return 0;
    case LINEEDIT_AFTER_CR:
        if (c == '\n')
            return 0;                   /* the rest of "\r\n" */
        break;
    case LINEEDIT_NORMAL:
        break;
    }

    switch (c) {
    case '\r':
        le->state = LINEEDIT_AFTER_CR;
        echo(le, "\n");
        return finish(le);
    case '\n':
        echo(le, "\n");
        return finish(le);
    case 0x7f:
    case '\b':
        erase_one(le);
        return 0;
    case CTRL('U'):
        while (le->len > 0)
            erase_one(le);
        return 0;
    case CTRL('W'):
        while (le->len > 0 && is_space(le->line[le->len - 1]))
            erase_one(le);
        while (le->len > 0 && !is_space(le->line[le->len - 1]))
            erase_one(le);
        return 0;
    case CTRL('C'):
        echo(le, "^C\n");
        le->len = 0;
        return finish(le);
    case 0x1b:
        le->state = LINEEDIT_ESC;
        return 0;
    case '\t':
        c = ' ';
        break;
    default:
        if (c < 0x20 || c > 0x7e)
            return 0;
        break;
    }

    if (le->len + 1 >= LINE_MAX) {
        echo(le, "\a");
        return 0;
    }
    le->line[le->len++] = c;
    char s[2] = { c, '\0' };
    echo(le, s);
    return 0;
}
