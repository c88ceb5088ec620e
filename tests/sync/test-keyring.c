/* test-keyring.c: the sync token goes to the Secret Service keyring when
 * one runs (tests/sync/with-keyring.sh starts one), never to a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "beatbook.h"

static void
test_token_goes_to_the_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-keyring-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "token", NULL);
  g_autofree char *found = NULL;
  g_autofree char *other = NULL;
  g_autofree char *gone = NULL;
  BbSecretPlace place = BB_SECRET_FILE;

  g_assert_no_error (error);
  g_assert_nonnull (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));

  g_assert_true (bb_secret_store ("user-a", file, "token-of-user-a", &place, &error));
  g_assert_no_error (error);
  g_assert_cmpint (place, ==, BB_SECRET_KEYRING);
  /* Nothing on disk: the keyring holds it. */
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  found = bb_secret_lookup ("user-a", file);
  g_assert_cmpstr (found, ==, "token-of-user-a");
  /* Each user's token is their own. */
  other = bb_secret_lookup ("user-b", file);
  g_assert_null (other);

  bb_secret_clear ("user-a", file);
  gone = bb_secret_lookup ("user-a", file);
  g_assert_null (gone);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secret/keyring/token-goes-to-the-keyring-not-a-file", test_token_goes_to_the_keyring);
  return g_test_run ();
}
