/* bench-sync.c: how fast a device pushes and another pulls, through the
 * real server on loopback. Prints figures; asserts nothing about time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BENCH_SYNC_N sets the number of records (default 5000).
 */
#include "config.h"

#include <sys/resource.h>

#include "sync-fixture.h"

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
}

int
main (int argc, char *argv[])
{
  const char *n_env = g_getenv ("BENCH_SYNC_N");
  guint n = n_env != NULL ? (guint)g_ascii_strtoull (n_env, NULL, 10) : 5000;
  g_autoptr(Server) server = NULL;
  g_autoptr(Device) laptop = NULL;
  g_autoptr(Device) office = NULL;
  BbSyncStats push, pull;
  struct rusage usage;
  gint64 start;
  double t_log, t_push, t_pull;

  test_db_require ();
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("BEATBOOK_SERVER") == NULL)
    {
      g_printerr ("BEATBOOK_SERVER is not set: run with meson test --benchmark\n");
      return 1;
    }

  server = server_new ();
  laptop = device_new ();
  office = device_new ();
  sign_in (laptop, server, "officer1");
  sign_in (office, server, "sergeant");

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    g_object_unref (log_observation (laptop, "benchmark record"));
  t_log = seconds_since (start);

  start = g_get_monotonic_time ();
  push = sync_ok (laptop);
  t_push = seconds_since (start);

  start = g_get_monotonic_time ();
  pull = sync_ok (office);
  t_pull = seconds_since (start);

  getrusage (RUSAGE_SELF, &usage);
  g_print ("records:           %u\n", n);
  g_print ("log (one commit each, synchronous=FULL): %.1f s, %.0f records/s\n", t_log, n / t_log);
  g_print ("push (batches of %d): %u in %.2f s, %.0f records/s\n", BB_SYNC_MAX_BATCH, push.pushed, t_push, push.pushed / t_push);
  g_print ("pull (pages of %d):   %u in %.2f s, %.0f records/s\n", BB_SYNC_PULL_LIMIT, pull.pulled, t_pull, pull.pulled / t_pull);
  g_print ("peak RSS of the two devices' process: %ld MiB\n", usage.ru_maxrss / 1024);

  return push.pushed == n && pull.pulled == n ? 0 : 1;
}
