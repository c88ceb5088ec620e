/* cli-private.h: what the beatbook-cli commands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "beatbook.h"

G_BEGIN_DECLS

/* Exit codes, documented in `beatbook-cli --help`. */
typedef enum {
  BB_CLI_EXIT_OK      = 0,
  BB_CLI_EXIT_INVALID = 1, /* invalid input, not found, refused */
  BB_CLI_EXIT_USAGE   = 2, /* unknown command or option, missing argument */
} BbCliExit;

typedef struct _BbCli BbCli;

struct _BbCli
{
  char      *data_dir;     /* --data-dir before the command */
  char      *cmd_data_dir; /* --data-dir after it (wins) */
  BbSession *session;      /* opened on first use */
};

/* One command: argv[0] is the command's name, the rest its arguments. */
typedef int (*BbCliCommandFunc) (BbCli *cli,
                                 int    argc,
                                 char **argv);

typedef struct
{
  const char       *name;
  const char       *summary; /* N_() marked */
  BbCliCommandFunc  run;
} BbCliCommand;

/* The command table lives in main.c. */
const BbCliCommand *bb_cli_find_command      (const char *name);

/* Opens the session on first use. NULL (the reason printed) when the data
 * directory or the store can not be opened. */
BbSession      *bb_cli_get_session           (BbCli            *cli);

/* A context for one command, with the shared --data-dir option added.
 * @parameters: "KIND", "ID", ...; @description: the text after the options. */
GOptionContext *bb_cli_option_context_new    (BbCli            *cli,
                                              const char       *command,
                                              const char       *parameters,
                                              const char       *summary,
                                              const char       *description,
                                              const GOptionEntry *entries);
/* Parses; on failure prints the parser's message and a hint, and returns
 * FALSE (exit with BB_CLI_EXIT_USAGE). */
gboolean        bb_cli_parse                 (GOptionContext   *context,
                                              const char       *command,
                                              int              *argc,
                                              char           ***argv);
/* bb_cli_parse() for a command that takes options only: an argument left
 * over is a usage error, printed; FALSE then (exit with BB_CLI_EXIT_USAGE). */
gboolean        bb_cli_parse_no_arguments    (GOptionContext   *context,
                                              const char       *command,
                                              int              *argc,
                                              char           ***argv);
/* Prints "beatbook-cli COMMAND: MESSAGE" and the command's usage on stderr;
 * returns BB_CLI_EXIT_USAGE. */
int             bb_cli_usage_error           (GOptionContext   *context,
                                              const char       *command,
                                              const char       *format,
                                              ...) G_GNUC_PRINTF (3, 4);
/* Prints "beatbook-cli: MESSAGE" on stderr. */
void            bb_cli_error                 (const char       *format,
                                              ...) G_GNUC_PRINTF (1, 2);

/* Every problem as "path: message" on stderr, warnings as
 * "warning: path: message". */
void            bb_cli_print_problems        (GPtrArray        *problems);
BbProblem      *bb_cli_problem_new           (const char       *path,
                                              const char       *code,
                                              BbProblemSeverity severity,
                                              const char       *format,
                                              ...) G_GNUC_PRINTF (4, 5);

/* Reads a JSON document from @path, or standard input for "-". Errors name
 * the file and line. (transfer full) */
JsonNode       *bb_cli_read_json             (const char       *path,
                                              GError          **error);
/* (transfer full): @node as text, pretty-printed when @pretty. */
char           *bb_cli_json_to_string        (JsonNode         *node,
                                              gboolean          pretty);

/* An output stream for @path, or standard output for NULL or "-". Files are
 * replaced only when the stream is closed without error, so a failed export
 * never leaves half a file over an old one. (transfer full) */
GOutputStream  *bb_cli_open_output           (const char       *path,
                                              GError          **error);

/* Reads the records matching @query page by page, calling @func for each;
 * never holds more than one page. At most @limit records (0: all). */
typedef gboolean (*BbCliRecordFunc) (BbRecord  *record,
                                     gpointer   user_data,
                                     GError   **error);
gboolean        bb_cli_foreach_record        (BbStore          *store,
                                              const BbQuery    *query,
                                              guint             limit,
                                              BbCliRecordFunc   func,
                                              gpointer          user_data,
                                              GError          **error);

/* Records as text for people. (transfer full) */
char           *bb_cli_format_local_time     (const char       *iso);
/* (transfer full): a coordinate with "." and no trailing zeros. */
char           *bb_cli_format_number         (double            value);
/* @str padded with spaces (or cut with "…") to @width characters. */
void            bb_cli_append_padded         (GString          *out,
                                              const char       *str,
                                              guint             width);

/* Looks up @kind_id; when it is unknown prints the kinds there are and
 * returns NULL. */
const BbKindSpec *bb_cli_lookup_kind         (const char       *kind_id);

/* The commands, one file each (cli-NAME.c). */
int bb_cli_cmd_add      (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_edit     (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_delete   (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_show     (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_list     (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_export   (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_import   (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_status   (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_identity (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_kinds    (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_login    (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_adopt    (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_logout   (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_sync     (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_lookup   (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_report   (BbCli *cli, int argc, char **argv);
int bb_cli_cmd_ward     (BbCli *cli, int argc, char **argv);

G_END_DECLS
