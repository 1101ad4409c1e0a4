/*
 * NipBox: the user-mode shell. It prints the prompt `nipbox> `, reads a line
 * with echo and editing (lineedit.c), splits it into words (args.c), and
 * runs a builtin (builtins.c) or a program (launch.c). A program replaces
 * the shell; when it ends, the kernel starts a new one. Started with
 * `--motd`, it first prints /etc/motd (the kernel asks for that on the first
 * start only).
 */
#include "args.h"
#include "builtins.h"
#include "launch.h"
#include "libnexus.h"
#include "lineedit.h"

#define PROMPT "nipbox> "
#define WORDS_MAX 32   /* more than a program may get: launch.c explains */

static struct lineedit editor;

/* Bytes read from the console but not fed to the editor yet: what was
 * typed ahead, after the end of the current line. */
static char pending[64];
static size_t pending_len, pending_pos;

static void refill(void)
{
    static int complained;
    for (;;) {
        int64_t n = read_console(pending, sizeof pending);
        if (n > 0) {
            pending_len = (size_t)n;
            pending_pos = 0;
            return;
        }
        /* Without input there is nothing to do; say so once, don't spin loudly. */
        if (!complained++)
            printf("nipbox: console input: %s\n", nexus_strerror((int)n));
        yield();
    }
}

static char *read_line(void)
{
    lineedit_new_line(&editor);
    for (;;) {
        if (pending_pos == pending_len)
            refill();
        int done = 0;
        while (!done && pending_pos < pending_len)
            done = lineedit_feed(&editor, pending[pending_pos++]);
        if (editor.echo_len > 0) {
            write(STDOUT_FILENO, editor.echo, editor.echo_len);
            editor.echo_len = 0;
        }
        if (done)
            return editor.line;
    }
}

static void run_line(char *line)
{
    char *argv[WORDS_MAX + 1];
    const char *error;
    int argc = args_split(line, argv, WORDS_MAX, &error);
    if (argc < 0) {
        printf("nipbox: %s\n", error);
        return;
    }
    if (argc == 0)
        return;
    const struct builtin *b = builtin_find(argv[0]);
    if (b)
        b->run(argc, argv);
    else
        launch(argc, argv, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--motd") == 0)
        cat_file("nipbox", "/etc/motd", 1);
    lineedit_init(&editor);
    for (;;) {
        printf(PROMPT);
        run_line(read_line());
    }
}
