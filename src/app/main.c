/* main.c: the beatbook app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-app"

#include "config.h"

#include "bb-application.h"
#include "bb-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BbApplication) app = NULL;

  bb_i18n_init ();
  g_set_application_name (_("Beatbook"));

  app = bb_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
