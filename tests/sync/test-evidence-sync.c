/* test-evidence-sync.c: photos and files through the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "beatbook-test"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test-db.h"
#include "sync-fixture.h"

#define MIB (1024 * 1024)

/* A photo's bytes: a PNG signature, then bytes that differ per @seed. */
static GBytes *
photo_bytes (guint seed,
             gsize size)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 *data = g_malloc (size);
  guint32 x = 2463534242u ^ seed;

  memcpy (data, png, sizeof png);
  for (gsize i = sizeof png; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = (guint8) x;
    }
  return g_bytes_new_take (data, size);
}

static char *
sha_of (GBytes *bytes)
{
  return bb_evidence_sha256 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static BbAttachment *
attach (Device     *device,
        GBytes     *bytes,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  BbAttachment *attachment;

  attachment = bb_store_import_evidence (bb_session_get_store (device->session),
                                         bb_session_get_profile (device->session),
                                         0, NULL, name, bytes, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return attachment;
}

static const char *
first_choice (Device     *device,
              const char *list)
{
  GPtrArray *choices = bb_profile_get_choices (bb_session_get_profile (device->session), list);

  g_assert_nonnull (choices);
  return ((BbChoice *) choices->pdata[0])->id;
}

/* A warden's fly-tipping observation listing @a (and @b). */
static BbRecord *
log_fly_tip (Device       *device,
             BbAttachment *a,
             BbAttachment *b)
{
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_PATROL_OBSERVATION);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *fields = bb_record_get_fields (record);
  JsonObject *fly_tip = json_object_new ();

  json_object_set_string_member (fields, "ward", "town");
  json_object_set_string_member (fields, "place", "Lowfield Street");
  json_object_set_string_member (fields, "category", "fly_tipping");
  json_object_set_string_member (fields, "description", "Mattress and bags by the garages");
  json_object_set_string_member (fly_tip, "size", first_choice (device, "fly_tip_size"));
  json_object_set_string_member (fly_tip, "waste_type", first_choice (device, "waste_type"));
  json_object_set_string_member (fly_tip, "land_type", first_choice (device, "land_type"));
  json_object_set_object_member (fields, "fly_tip", fly_tip);
  g_ptr_array_add (list, a);
  if (b != NULL)
    g_ptr_array_add (list, b);
  bb_attachments_set_in_fields (fields, list);
  if (!bb_session_save_record (device->session, record, &problems, &error))
    {
      g_autofree char *text = bb_problems_to_string (problems);
      g_error ("save failed: %s %s", error ? error->message : "", text);
    }
  return g_steal_pointer (&record);
}

static char *
server_blob_path (Server     *server,
                  const char *sha256)
{
  return g_build_filename (server->dir, "blobs", sha256, NULL);
}

static char *
server_partial_path (Server     *server,
                     const char *sha256)
{
  return g_build_filename (server->dir, "blobs", "partial", sha256, NULL);
}

/* The SHA-256 of the file the server keeps (NULL when it has none). */
static char *
server_file_sha (Server     *server,
                 const char *sha256)
{
  g_autofree char *path = server_blob_path (server, sha256);
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  return bb_evidence_sha256 ((const guint8 *) contents, length);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

static BbClient *
client_of (Device *device)
{
  g_autoptr(GError) error = NULL;
  BbClient *client = bb_session_create_client (device->session, &error);

  g_assert_no_error (error);
  return client;
}

/* The audit entries "view" of @record_id, seen by the supervisor. */
static guint
count_views (Device     *supervisor,
             const char *record_id,
             const char *sha256)
{
  g_autoptr(BbClient) client = client_of (supervisor);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bb_client_request (client, "GET", "/api/v1/audit?limit=1000",
                                                  NULL, NULL, NULL, &error);
  g_autofree char *detail = g_strdup_printf ("blob=%s", sha256);
  JsonArray *entries;
  guint n = 0;

  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (answer), "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "action"), "view") == 0 &&
          g_strcmp0 (json_object_get_string_member (entry, "record_id"), record_id) == 0 &&
          g_strcmp0 (json_object_get_string_member (entry, "detail"), detail) == 0)
        n++;
    }
  return n;
}

/* A proxy between a device and the server that can drop the connection
 * once a number of bytes has gone towards the server (a patrol car's signal
 * going), and can slow the bytes down. */
typedef struct
{
  int       listener;
  guint     upstream_port;
  guint     port;
  gint64    drop_after;  /* bytes towards the server; 0: never */
  guint     delay_us;    /* after each block forwarded */
  gint64    forwarded;   /* bytes towards the server, all connections */
  gboolean  dropped;
  gboolean  stop;
  GThread  *thread;
  GPtrArray *relays;     /* one thread per connection */
  GMutex    lock;
} Proxy;

typedef struct
{
  Proxy *proxy;
  int    client;
} Relay;

static int
connect_upstream (guint port)
{
  struct sockaddr_in addr = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  addr.sin_family = AF_INET;
  addr.sin_port = htons ((guint16) port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

/* Relays one connection until either side closes or the budget runs out. */
static void
relay (Proxy *proxy,
       int    client)
{
  int server = connect_upstream (proxy->upstream_port);
  guint8 buffer[16 * 1024];

  while (server >= 0 && !proxy->stop)
    {
      struct pollfd fds[2] = { { client, POLLIN, 0 }, { server, POLLIN, 0 } };
      gssize n;

      if (poll (fds, 2, 100) < 0 && errno != EINTR)
        break;
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          gsize allowed = sizeof buffer;

          g_mutex_lock (&proxy->lock);
          if (proxy->drop_after > 0 && !proxy->dropped)
            allowed = (gsize) MIN ((gint64) allowed, proxy->drop_after - proxy->forwarded);
          g_mutex_unlock (&proxy->lock);
          n = allowed > 0 ? read (client, buffer, allowed) : 0;
          if (n <= 0 || write (server, buffer, (gsize) n) != n)
            break;
          g_mutex_lock (&proxy->lock);
          proxy->forwarded += n;
          if (proxy->drop_after > 0 && !proxy->dropped && proxy->forwarded >= proxy->drop_after)
            proxy->dropped = TRUE;
          g_mutex_unlock (&proxy->lock);
          if (proxy->dropped && proxy->drop_after > 0 && proxy->forwarded == proxy->drop_after)
            break;
          if (proxy->delay_us > 0)
            g_usleep (proxy->delay_us);
        }
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (server, buffer, sizeof buffer);
          if (n <= 0 || write (client, buffer, (gsize) n) != n)
            break;
        }
    }

  if (server >= 0)
    close (server);
  close (client);
}

static gpointer
relay_run (gpointer data)
{
  Relay *job = data;

  relay (job->proxy, job->client);
  g_free (job);
  return NULL;
}

static gpointer
proxy_run (gpointer data)
{
  Proxy *proxy = data;

  while (!proxy->stop)
    {
      struct pollfd fd = { proxy->listener, POLLIN, 0 };
      int client;

      if (poll (&fd, 1, 100) <= 0)
        continue;
      client = accept (proxy->listener, NULL, NULL);
      if (client >= 0)
        {
          Relay *job = g_new0 (Relay, 1);

          job->proxy = proxy;
          job->client = client;
          g_ptr_array_add (proxy->relays, g_thread_new ("relay", relay_run, job));
        }
    }
  return NULL;
}

static Proxy *
proxy_new (guint upstream_port)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;

  g_mutex_init (&proxy->lock);
  proxy->relays = g_ptr_array_new ();
  proxy->upstream_port = upstream_port;
  proxy->listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (proxy->listener, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (proxy->listener, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (proxy->listener, 8), ==, 0);
  g_assert_cmpint (getsockname (proxy->listener, (struct sockaddr *) &addr, &len), ==, 0);
  proxy->port = ntohs (addr.sin_port);
  proxy->thread = g_thread_new ("proxy", proxy_run, proxy);
  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  proxy->stop = TRUE;
  g_thread_join (proxy->thread);
  for (guint i = 0; i < proxy->relays->len; i++)
    g_thread_join (proxy->relays->pdata[i]);
  g_ptr_array_unref (proxy->relays);
  close (proxy->listener);
  g_mutex_clear (&proxy->lock);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

typedef struct
{
  Device   *device;
  gboolean  ok;
  GError   *error;
} SyncJob;

static gpointer
sync_in_thread (gpointer data)
{
  SyncJob *job = data;

  job->ok = bb_session_sync (job->device->session, NULL, NULL, &job->error);
  return NULL;
}

/* The server as a device reaches it through @proxy. */
static Server
through (Server *server,
         Proxy  *proxy,
         char  **url)
{
  Server copy = *server;

  *url = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
  copy.url = *url;
  return copy;
}

/* Done when a warden photographs a fly-tip offline, the photo reaches the
 * server intact when the connection returns, and the supervisor sees it. */
static void
test_offline_photo_reaches_the_supervisor_intact (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) warden = device_new ();
  g_autoptr(Device) supervisor = device_new ();
  g_autoptr(GBytes) photo = photo_bytes (1, 3 * MIB + 123);
  g_autoptr(BbAttachment) attachment = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(BbRecord) seen = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = sha_of (photo);
  g_autofree char *held = NULL;
  BbStore *store;
  BbSyncStats stats;
  guint port;

  add_user (server, "warden1", "warden", "Warden 17");
  sign_in (warden, server, "warden1");
  store = bb_session_get_store (warden->session);

  /* No signal where the fly-tip is. */
  port = server->port;
  server_kill (server, SIGTERM);
  attachment = attach (warden, photo, "fly-tip.png");
  g_assert_cmpstr (attachment->sha256, ==, sha);
  record = log_fly_tip (warden, attachment, NULL);
  g_assert_false (bb_session_sync (warden->session, &stats, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE);
  g_clear_error (&error);
  g_assert_cmpuint (bb_store_count_record_waiting_blobs (store, record), ==, 1);

  /* Back in range. */
  server_start (server, port);
  stats = sync_ok (warden);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (stats.uploaded, ==, 1);
  g_assert_cmpuint (bb_store_count_record_waiting_blobs (store, record), ==, 0);
  g_assert_cmpint (bb_store_get_blob_state (store, sha), ==, BB_BLOB_STATE_UPLOADED);
  held = server_file_sha (server, sha);
  g_assert_cmpstr (held, ==, sha);
  /* A second sync sends nothing again. */
  stats = sync_ok (warden);
  g_assert_cmpuint (stats.uploaded, ==, 0);

  /* The supervisor's review window: the record lists it, the photo comes
   * when first shown, once, and the look is audited. */
  sign_in (supervisor, server, "sergeant");
  sync_ok (supervisor);
  seen = bb_store_get_record (bb_session_get_store (supervisor->session), bb_record_get_id (record), &error);
  g_assert_no_error (error);
  listed = bb_attachments_from_fields (bb_record_get_fields (seen));
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (((BbAttachment *) listed->pdata[0])->sha256, ==, sha);
  g_assert_cmpint (bb_store_get_blob_state (bb_session_get_store (supervisor->session), sha), ==,
                   BB_BLOB_STATE_ABSENT);

  got = bb_session_get_evidence (supervisor->session, listed->pdata[0], NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, photo));
  g_assert_cmpint (bb_store_get_blob_state (bb_session_get_store (supervisor->session), sha), ==,
                   BB_BLOB_STATE_CACHED);
  g_assert_cmpuint (count_views (supervisor, bb_record_get_id (record), sha), ==, 1);

  again = bb_session_get_evidence (supervisor->session, listed->pdata[0], NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, photo));
  g_assert_cmpuint (count_views (supervisor, bb_record_get_id (record), sha), ==, 1);
}

static void
test_upload_resumes_after_the_server_is_killed (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GBytes) photo = photo_bytes (2, 8 * MIB);
  g_autoptr(BbAttachment) attachment = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(BbClient) client = NULL;
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = sha_of (photo);
  g_autofree char *partial = server_partial_path (server, sha);
  g_autofree char *proxy_url = NULL;
  g_autofree char *held = NULL;
  Server via_proxy;
  SyncJob job = { 0 };
  GThread *thread;
  gint64 kept, sent = -1;
  guint port = server->port;
  BbSyncStats stats;

  /* Slowed down on the way, so the kill lands mid-file. */
  proxy = proxy_new (port);
  proxy->delay_us = 2000;
  via_proxy = through (server, proxy, &proxy_url);
  sign_in (device, &via_proxy, "officer1");
  attachment = attach (device, photo, "scene.png");
  record = log_fly_tip (device, attachment, NULL);

  job.device = device;
  thread = g_thread_new ("sync", sync_in_thread, &job);
  for (guint i = 0; i < 20000 && file_size (partial) < 2 * MIB; i++)
    g_usleep (1000);
  server_kill (server, SIGKILL);
  g_thread_join (thread);
  g_assert_false (job.ok);
  g_clear_error (&job.error);

  /* What arrived before the kill is kept, under no good name. */
  kept = file_size (partial);
  g_test_message ("the server held %" G_GINT64_FORMAT " of %" G_GSIZE_FORMAT " bytes when killed",
                  kept, g_bytes_get_size (photo));
  g_assert_cmpint (kept, >=, 2 * MIB);
  g_assert_cmpint (kept, <, (gint64) g_bytes_get_size (photo));
  g_assert_null (server_file_sha (server, sha));
  g_assert_cmpint (bb_store_get_blob_state (bb_session_get_store (device->session), sha), ==,
                   BB_BLOB_STATE_WAITING);

  /* Restarted: the upload goes on from the server's offset. */
  server_start (server, port);
  proxy->delay_us = 0;
  client = client_of (device);
  g_assert_true (bb_client_upload_blob (client, sha, photo, 1 * MIB, &sent, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sent, ==, (gint64) g_bytes_get_size (photo) - kept);
  held = server_file_sha (server, sha);
  g_assert_cmpstr (held, ==, sha);

  /* The device learns the server has it at its next sync. */
  stats = sync_ok (device);
  g_assert_cmpuint (stats.uploaded, ==, 1);
  g_assert_cmpint (bb_store_get_blob_state (bb_session_get_store (device->session), sha), ==,
                   BB_BLOB_STATE_UPLOADED);
}

static void
test_upload_resumes_after_a_dropped_connection (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GBytes) photo = photo_bytes (3, 5 * MIB);
  g_autoptr(BbAttachment) attachment = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = sha_of (photo);
  g_autofree char *partial = server_partial_path (server, sha);
  g_autofree char *proxy_url = NULL;
  g_autofree char *held = NULL;
  Server via_proxy;
  gint64 kept, second_leg;
  BbSyncStats stats;

  proxy = proxy_new (server->port);
  via_proxy = through (server, proxy, &proxy_url);
  sign_in (device, &via_proxy, "officer1");
  attachment = attach (device, photo, "van.png");
  record = log_fly_tip (device, attachment, NULL);

  /* The signal goes 2.5 MiB into the sync: the record is through, the
   * file is not. */
  g_mutex_lock (&proxy->lock);
  proxy->forwarded = 0;
  proxy->drop_after = 5 * MIB / 2;
  g_mutex_unlock (&proxy->lock);
  if (bb_session_sync (device->session, &stats, NULL, &error))
    g_error ("the sync went through a dropped connection");
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNREACHABLE);
  g_clear_error (&error);
  g_assert_true (proxy->dropped);
  kept = file_size (partial);
  g_test_message ("the server held %" G_GINT64_FORMAT " bytes when the connection dropped", kept);
  g_assert_cmpint (kept, >, 1 * MIB);
  g_assert_cmpint (kept, <, (gint64) g_bytes_get_size (photo));
  g_assert_cmpint (bb_store_get_blob_state (bb_session_get_store (device->session), sha), ==,
                   BB_BLOB_STATE_WAITING);

  /* Signal back: only what the server lacks travels. */
  g_mutex_lock (&proxy->lock);
  proxy->forwarded = 0;
  proxy->drop_after = 0;
  g_mutex_unlock (&proxy->lock);
  stats = sync_ok (device);
  g_assert_cmpuint (stats.uploaded, ==, 1);
  second_leg = proxy->forwarded;
  g_test_message ("%" G_GINT64_FORMAT " bytes went to the server the second time", second_leg);
  g_assert_cmpint (second_leg, <, (gint64) g_bytes_get_size (photo) - kept + 64 * 1024);
  held = server_file_sha (server, sha);
  g_assert_cmpstr (held, ==, sha);
}

static void
test_server_refuses_bad_files (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) photo = photo_bytes (4, 4000);
  g_autoptr(GBytes) other = photo_bytes (5, 4000);
  g_autoptr(GBytes) text = g_bytes_new_static ("plain text, not a photo", 23);
  g_autoptr(GBytes) huge = photo_bytes (6, 20 * MIB + 1);
  g_autofree char *photo_sha = sha_of (photo);
  g_autofree char *text_sha = sha_of (text);
  g_autofree char *huge_sha = sha_of (huge);
  g_autofree char *partial_dir = g_build_filename (server->dir, "blobs", "partial", NULL);
  g_autoptr(GDir) dir = NULL;

  sign_in (device, server, "officer1");
  client = client_of (device);

  /* The bytes of another file under this one's hash. */
  g_assert_false (bb_client_upload_blob (client, photo_sha, other, 0, NULL, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "hash"));
  g_clear_error (&error);
  g_assert_null (server_file_sha (server, photo_sha));

  /* Text is not evidence, whatever it is called. */
  g_assert_false (bb_client_upload_blob (client, text_sha, text, 0, NULL, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_UNSUPPORTED_TYPE);
  g_clear_error (&error);
  g_assert_null (server_file_sha (server, text_sha));

  /* Over the profile's 20 MiB: refused before the body is read. */
  g_assert_false (bb_client_upload_blob (client, huge_sha, huge, 0, NULL, NULL, &error));
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (server_file_sha (server, huge_sha));

  /* Not a hash at all. */
  {
    g_autoptr(JsonNode) answer = bb_client_request (client, "GET", "/api/v1/blobs/..%2f..%2fserver.db",
                                                    NULL, NULL, NULL, &error);
    g_assert_null (answer);
    g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_BAD_REQUEST);
    g_clear_error (&error);
  }

  /* Nothing half-kept either. */
  dir = g_dir_open (partial_dir, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (dir));

  /* And the right bytes are taken, once. */
  g_assert_true (bb_client_upload_blob (client, photo_sha, photo, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (bb_client_upload_blob (client, photo_sha, photo, 0, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_councillor_never_gets_an_s59_photo (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) officer = device_new ();
  g_autoptr(Device) councillor = device_new ();
  g_autoptr(Device) supervisor = device_new ();
  g_autoptr(GBytes) photo = photo_bytes (7, 20000);
  g_autoptr(BbAttachment) attachment = NULL;
  g_autoptr(BbRecord) record = bb_record_new (BB_KIND_S59_WARNING);
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) fields_node = NULL;
  g_autofree char *sha = sha_of (photo);
  BbSyncStats stats;

  add_user (server, "cllr", "councillor", "Councillor (Town ward)");
  sign_in (officer, server, "officer1");
  attachment = attach (officer, photo, "car.png");
  fields_node = json_from_string ("{\"ward\": \"town\", \"offence\": \"rta_s3\","
                                  " \"alarm_distress\": \"is_causing\", \"circumstances\": \"Revving at the meet\","
                                  " \"vehicle\": {\"type\": \"car\", \"vrm\": \"AB12CDE\"},"
                                  " \"warned_party\": \"owner\"}", &error);
  g_assert_no_error (error);
  g_ptr_array_add (list, attachment);
  bb_attachments_set_in_fields (json_node_get_object (fields_node), list);
  bb_record_set_fields (record, json_node_get_object (fields_node));
  if (!bb_session_save_record (officer->session, record, &problems, &error))
    g_error ("save failed: %s", error != NULL ? error->message : "invalid");
  stats = sync_ok (officer);
  g_assert_cmpuint (stats.uploaded, ==, 1);

  sign_in (councillor, server, "cllr");
  sync_ok (councillor);
  g_assert_cmpuint (count (councillor, BB_KIND_S59_WARNING), ==, 0);
  client = client_of (councillor);
  got = bb_client_fetch_blob (client, sha, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_FORBIDDEN);
  g_clear_error (&error);
  /* Nor through the device's own way in. */
  got = bb_session_get_evidence (councillor->session, attachment, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (bb_store_get_blob_state (bb_session_get_store (councillor->session), sha), ==,
                   BB_BLOB_STATE_ABSENT);

  sign_in (supervisor, server, "sergeant");
  got = bb_session_get_evidence (supervisor->session, attachment, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, photo));
}

static void
test_deleted_record_takes_its_files (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(Device) supervisor = device_new ();
  g_autoptr(GBytes) own_bytes = photo_bytes (8, 9000);
  g_autoptr(GBytes) shared_bytes = photo_bytes (9, 9000);
  g_autoptr(BbAttachment) own = NULL;
  g_autoptr(BbAttachment) shared = NULL;
  g_autoptr(BbRecord) first = NULL;
  g_autoptr(BbRecord) second = NULL;
  g_autoptr(BbClient) client = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *still = NULL;
  BbSyncStats stats;
  guint removed = 0;

  sign_in (device, server, "officer1");
  own = attach (device, own_bytes, "own.png");
  shared = attach (device, shared_bytes, "shared.png");
  first = log_fly_tip (device, own, shared);
  second = log_fly_tip (device, shared, NULL);
  stats = sync_ok (device);
  g_assert_cmpuint (stats.uploaded, ==, 2);
  {
    g_autofree char *before = server_file_sha (server, own->sha256);

    g_assert_cmpstr (before, ==, own->sha256);
  }

  g_assert_true (bb_store_delete_record (bb_session_get_store (device->session),
                                         bb_record_get_id (first), &error));
  sync_ok (device);

  /* The deleted record's own file is gone from the server; the one another
   * record lists stays. */
  g_assert_null (server_file_sha (server, own->sha256));
  still = server_file_sha (server, shared->sha256);
  g_assert_cmpstr (still, ==, shared->sha256);
  sign_in (supervisor, server, "sergeant");
  client = client_of (supervisor);
  got = bb_client_fetch_blob (client, own->sha256, NULL, &error);
  g_assert_error (error, BB_CLIENT_ERROR, BB_CLIENT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* And from the device, once nothing there lists it. */
  g_assert_true (bb_store_collect_evidence (bb_session_get_store (device->session), 0, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_cmpint (bb_store_get_blob_state (bb_session_get_store (device->session), own->sha256), ==,
                   BB_BLOB_STATE_ABSENT);
}

/* A file nothing lists any more leaves the device at a sync once it is a
 * day old; a younger one stays (it may belong to an editor still open). */
static void
test_sync_removes_files_nothing_lists (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GBytes) old_bytes = photo_bytes (13, 9000);
  g_autoptr(GBytes) young_bytes = photo_bytes (14, 9000);
  g_autoptr(BbAttachment) old = NULL;
  g_autoptr(BbAttachment) young = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  BbStore *store;
  sqlite3 *db = NULL;

  sign_in (device, server, "officer1");
  old = attach (device, old_bytes, "old.png");
  young = attach (device, young_bytes, "young.png");
  record = log_fly_tip (device, old, NULL);
  sync_ok (device);
  store = bb_session_get_store (device->session);
  g_assert_true (bb_store_delete_record (store, bb_record_get_id (record), &error));
  g_assert_no_error (error);

  /* The deleted record's file was attached two days ago; the other, never
   * listed, a moment ago. */
  sql = g_strdup_printf ("UPDATE blobs SET added_at = '2000-01-01T00:00:00Z' WHERE sha256 = '%s'",
                         old->sha256);
  g_assert_cmpint (sqlite3_open (bb_store_get_path (store), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  sync_ok (device);
  g_assert_cmpint (bb_store_get_blob_state (store, old->sha256), ==, BB_BLOB_STATE_ABSENT);
  g_assert_cmpint (bb_store_get_blob_state (store, young->sha256), !=, BB_BLOB_STATE_ABSENT);
}

static void
test_erased_record_takes_its_files (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Device) device = device_new ();
  g_autoptr(GBytes) bytes = photo_bytes (11, 12000);
  g_autoptr(BbAttachment) photo = NULL;
  g_autoptr(BbRecord) record = NULL;
  g_autofree char *blob_dir = g_build_filename (server->dir, "blobs", NULL);
  g_autofree char *held = NULL;
  BbSyncStats stats;

  sign_in (device, server, "officer1");
  photo = attach (device, bytes, "erase-me.png");
  record = log_fly_tip (device, photo, NULL);
  stats = sync_ok (device);
  g_assert_cmpuint (stats.uploaded, ==, 1);
  held = server_file_sha (server, photo->sha256);
  g_assert_cmpstr (held, ==, photo->sha256);

  /* Past every retention period: the record is erased, its file too. */
  run_admin (NULL, "erase-expired", "--db", server->db, "--blob-dir", blob_dir,
             "--as-of", "2099-01-01T00:00:00Z", NULL);
  g_assert_null (server_file_sha (server, photo->sha256));
}

static int
run_cli (const char  *data_dir,
         const char  *stdin_text,
         char       **out,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (gpointer) g_getenv ("BEATBOOK_CLI"));
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) data_dir);
  va_start (args, out);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (stderr_text != NULL && *stderr_text != '\0')
    g_test_message ("beatbook-cli: %s", stderr_text);
  if (out != NULL)
    *out = g_strconcat (stdout_text, stderr_text, NULL);
  return g_subprocess_get_exit_status (proc);
}

static void
test_cli_attach_show_and_sync (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(GBytes) photo = photo_bytes (10, 70000);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("beatbook-cli-evidence-XXXXXX", &error);
  g_autofree char *photo_path = g_build_filename (dir, "fly-tip.jpg.png", NULL);
  g_autofree char *text_path = g_build_filename (dir, "notes.jpg", NULL);
  g_autofree char *json_path = g_build_filename (dir, "record.json", NULL);
  g_autofree char *sha = sha_of (photo);
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;
  g_autofree char *held = NULL;

  g_assert_true (g_file_set_contents (photo_path, g_bytes_get_data (photo, NULL),
                                      (gssize) g_bytes_get_size (photo), NULL));
  g_assert_true (g_file_set_contents (text_path, "not a photo", -1, NULL));
  g_assert_true (g_file_set_contents (json_path,
                                      "{\"fields\": {\"ward\": \"town\", \"category\": \"asb_youths\","
                                      " \"description\": \"Group by the bus shelter\"}}", -1, NULL));

  g_assert_cmpint (run_cli (dir, PASSWORD "\n", NULL, "login", "--server", server->url,
                            "--username", "officer1", NULL), ==, 0);

  /* A text file named .jpg is refused, and nothing is saved. */
  g_assert_cmpint (run_cli (dir, NULL, &out, "add", "patrol_observation", "--json", json_path,
                            "--attach", text_path, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "notes.jpg"));
  g_assert_nonnull (strstr (out, "Nothing was saved"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (dir, NULL, &out, "add", "patrol_observation", "--json", json_path,
                            "--attach", photo_path, NULL), ==, 0);
  id = g_strstrip (g_steal_pointer (&out));

  g_assert_cmpint (run_cli (dir, NULL, &out, "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "fly-tip.jpg.png (image/png"));
  g_assert_nonnull (strstr (out, "waiting to upload"));
  g_assert_nonnull (strstr (out, sha));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (dir, NULL, &out, "sync", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "pushed 1, pulled 0, conflicts 0, rejected 0, uploaded 1\n");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (dir, NULL, &out, "show", id, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "uploaded"));
  g_assert_null (strstr (out, "waiting to upload"));
  g_clear_pointer (&out, g_free);
  held = server_file_sha (server, sha);
  g_assert_cmpstr (held, ==, sha);

  /* edit --attach alone keeps the fields and adds the file. */
  g_assert_cmpint (run_cli (dir, NULL, NULL, "edit", id, "--attach", photo_path, NULL), ==, 0);
  g_assert_cmpint (run_cli (dir, NULL, &out, "show", id, "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Group by the bus shelter"));
  g_assert_nonnull (strstr (out, sha));
  g_clear_pointer (&out, g_free);

  bb_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  test_db_require ();
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("BEATBOOK_SERVER") == NULL)
    {
      g_printerr ("BEATBOOK_SERVER is not set: run this test with meson test\n");
      return 1;
    }

  g_test_add_func ("/evidence/round-trip/offline-photo-reaches-the-supervisor-intact",
                   test_offline_photo_reaches_the_supervisor_intact);
  g_test_add_func ("/evidence/resume/after-the-server-is-killed-mid-upload",
                   test_upload_resumes_after_the_server_is_killed);
  g_test_add_func ("/evidence/resume/after-a-dropped-connection",
                   test_upload_resumes_after_a_dropped_connection);
  g_test_add_func ("/evidence/refused/hash-mismatch-wrong-type-oversize",
                   test_server_refuses_bad_files);
  g_test_add_func ("/evidence/access/councillor-never-gets-an-s59-photo",
                   test_councillor_never_gets_an_s59_photo);
  g_test_add_func ("/evidence/erase/deleted-record-takes-its-files",
                   test_deleted_record_takes_its_files);
  g_test_add_func ("/evidence/erase/a-sync-removes-files-nothing-lists",
                   test_sync_removes_files_nothing_lists);
  g_test_add_func ("/evidence/erase/erased-record-takes-its-files",
                   test_erased_record_takes_its_files);
  g_test_add_func ("/evidence/cli/attach-show-and-sync", test_cli_attach_show_and_sync);

  return g_test_run ();
}
